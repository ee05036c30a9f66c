import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { authorize } from '../auth/role-matrix';
import { NotificationMethod } from '../domain/graphql-enums';
import type { NotificationMethodValue } from '../domain/vocabulary';
import { fieldProtection, protectReference } from '../near-misses/field-protection';
import { NearMiss } from '../near-misses/near-miss.type';
import type { RequestContext } from '../server/context';
import { isOverdue } from './notification-due';
import { loadNotificationWindows, loadOverdueNotifications, type NotificationRecord } from './notification.repository';
import { recordNotification, setNotificationWindow } from './notification.service';
import { Notification, NotificationWindow } from './notification.type';

/** A record as the caller may see it: the member of staff who notified pseudonymised for ANALYST. */
function toNotification(context: RequestContext, record: NotificationRecord, now = new Date()): Notification {
  return {
    id: record.id,
    nearMissId: record.nearMissId,
    recipient: record.recipient,
    dueBy: record.dueBy,
    notifiedAt: record.notifiedAt ?? undefined,
    notifiedBy: protectReference(fieldProtection(context), 'staff', record.notifiedBy) ?? undefined,
    method: record.method ?? undefined,
    externalReference: record.externalReference ?? undefined,
    overdue: isOverdue(record, now),
  };
}

@Resolver(() => NearMiss)
export class NearMissNotificationsResolver {
  @FieldResolver(() => [Notification], {
    description: 'Who must be told about it (from the rules at report, as triage decided after), by due time',
  })
  async notifications(@Root() nearMiss: NearMiss, @Ctx() context: RequestContext): Promise<Notification[]> {
    const records = await context.lifecycle.notifications.load(nearMiss.id);
    return records.map((record) => toNotification(context, record));
  }
}

@Resolver(() => Notification)
export class NotificationResolver {
  @Query(() => [Notification], {
    description:
      'Notifications not recorded and past due, of the near misses you may read, oldest due first (500 at most)',
  })
  async overdueNotifications(
    @Ctx() context: RequestContext,
    @Arg('serviceIds', () => [ID], { nullable: true }) serviceIds?: string[],
  ): Promise<Notification[]> {
    authorize(context.principal, 'notifications.read');
    const records = await context.db.read((tx) =>
      loadOverdueNotifications(tx, context.loaders.readScope(), serviceIds ?? undefined),
    );
    return records.map((record) => toNotification(context, record));
  }

  @Query(() => [NotificationWindow], { description: "Your organisation's windows to notify each recipient" })
  async notificationWindows(@Ctx() context: RequestContext): Promise<NotificationWindow[]> {
    authorize(context.principal, 'settings.read');
    const windows = await context.db.read((tx) => loadNotificationWindows(tx, context.principal.tenantId));
    return [...windows].map(([recipient, hours]) => ({ recipient, hours }));
  }

  @Mutation(() => Notification, {
    description: 'Records that someone who had to be told was told: when, how, and any external reference. Once.',
  })
  async recordNotification(
    @Arg('id', () => ID) id: string,
    @Arg('method', () => NotificationMethod) method: NotificationMethodValue,
    @Arg('notifiedAt') notifiedAt: Date,
    @Ctx() context: RequestContext,
    @Arg('externalReference', () => String, { nullable: true }) externalReference?: string,
  ): Promise<Notification> {
    const record = await context.mutate((tx, actor) =>
      recordNotification(tx, actor, { id, method, notifiedAt, externalReference }),
    );
    return toNotification(context, record);
  }

  @Mutation(() => NotificationWindow, {
    description:
      'Sets how many hours your organisation allows to notify a recipient (`*` for everyone without a window of their own); new notifications use it',
  })
  async setNotificationWindow(
    @Arg('recipient') recipient: string,
    @Arg('hours', () => Int) hours: number,
    @Ctx() context: RequestContext,
  ): Promise<NotificationWindow> {
    return context.mutate((tx, actor) => setNotificationWindow(tx, actor, { recipient, hours }));
  }
}
