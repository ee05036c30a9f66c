import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { authorize, isAllowed } from '../auth/role-matrix';
import { notFound } from '../common/errors';
import { applicableGates } from '../gates/applicable-gates';
import { factsOf } from '../near-misses/near-miss.facts';
import { loadTriageQueue } from '../near-misses/near-miss.repository';
import { GateItem, NearMiss, ReporterFeedback } from '../near-misses/near-miss.type';
import type { RequestContext } from '../server/context';
import { readTenantSettings, updateTenantSettings } from '../tenant-settings/tenant-settings';
import { justCultureResponse } from './just-culture';
import {
  acknowledgeNearMiss,
  recordNoActionNeeded,
  closeNearMiss,
  completeGateItem,
  reopenNearMiss,
  sendReporterFeedback,
  triageNearMiss,
} from './lifecycle.service';
import { TenantSettingsInput, TenantSettingsType, Triage, TriageInput } from './triage.type';
import { fieldProtection, protectReference, protectText } from '../near-misses/field-protection';

/**
 * The near miss a step returned (read inside its transaction) for the
 * payload, primed into the request's fresh loader so payload fields that read
 * it by id share it.
 */
function payload(context: RequestContext, id: string, nearMiss: NearMiss | null): NearMiss {
  if (!nearMiss) throw notFound(`Near miss ${id} is not readable`);
  context.loaders.byId.prime(nearMiss.id, nearMiss);
  return nearMiss;
}

@Resolver(() => NearMiss)
export class LifecycleResolver {
  @Mutation(() => NearMiss, {
    description: 'A supervisor or lead has seen the report: the reporter is told, and the triage clock is running.',
  })
  async acknowledgeNearMiss(
    @Arg('id', () => ID) id: string,
    @Arg('expectedVersion', () => Int) expectedVersion: number,
    @Ctx() context: RequestContext,
  ) {
    return payload(
      context,
      id,
      await context.mutate((tx, actor) => acknowledgeNearMiss(tx, actor, { id, expectedVersion })),
    );
  }

  @Mutation(() => NearMiss, { description: 'Records why a triaged near miss needs no corrective action.' })
  async recordNoActionNeeded(
    @Arg('nearMissId', () => ID) nearMissId: string,
    @Arg('expectedVersion', () => Int) expectedVersion: number,
    @Arg('reason', () => String) reason: string,
    @Ctx() context: RequestContext,
  ) {
    return payload(
      context,
      nearMissId,
      await context.mutate((tx, actor) => recordNoActionNeeded(tx, actor, { nearMissId, expectedVersion, reason })),
    );
  }

  @Mutation(() => NearMiss, { description: 'Routes the report; an override of the suggested route needs a reason.' })
  async triageNearMiss(@Arg('input', () => TriageInput) input: TriageInput, @Ctx() context: RequestContext) {
    return payload(context, input.nearMissId, await context.mutate((tx, actor) => triageNearMiss(tx, actor, input)));
  }

  @Mutation(() => NearMiss, { description: 'Records one "cannot proceed without" item as done.' })
  async completeGateItem(
    @Arg('nearMissId', () => ID) nearMissId: string,
    @Arg('key', () => ID) key: string,
    @Arg('expectedVersion', () => Int) expectedVersion: number,
    @Ctx() context: RequestContext,
    @Arg('note', () => String, { nullable: true }) note?: string,
  ) {
    return payload(
      context,
      nearMissId,
      await context.mutate((tx, actor) => completeGateItem(tx, actor, { nearMissId, key, expectedVersion, note })),
    );
  }

  @Mutation(() => NearMiss, {
    description:
      'Closes with an outcome; GATE_BLOCKED names open gate items. Severe potential harm, a repeat risk review or an ineffective action cannot close on weaker actions alone (CONFLICT) unless a manager gives weakOnlyOverrideReason, counted in governanceSummary.weakOnlyOverrides.',
  })
  async closeNearMiss(
    @Arg('id', () => ID) id: string,
    @Arg('expectedVersion', () => Int) expectedVersion: number,
    @Arg('outcome', () => String) outcome: string,
    @Ctx() context: RequestContext,
    @Arg('weakOnlyOverrideReason', () => String, { nullable: true }) weakOnlyOverrideReason?: string,
  ) {
    return payload(
      context,
      id,
      await context.mutate((tx, actor) =>
        closeNearMiss(tx, actor, { id, expectedVersion, outcome, weakOnlyOverrideReason }),
      ),
    );
  }

  @Mutation(() => NearMiss, { description: 'Reopens a closed near miss for another look; a reason is required.' })
  async reopenNearMiss(
    @Arg('id', () => ID) id: string,
    @Arg('reason', () => String) reason: string,
    @Ctx() context: RequestContext,
  ) {
    return payload(context, id, await context.mutate((tx, actor) => reopenNearMiss(tx, actor, { id, reason })));
  }

  @Mutation(() => NearMiss, { description: 'Sends the reporter a message of your own.' })
  async sendReporterFeedback(
    @Arg('nearMissId', () => ID) nearMissId: string,
    @Arg('message', () => String) message: string,
    @Ctx() context: RequestContext,
  ) {
    return payload(
      context,
      nearMissId,
      await context.mutate((tx, actor) => sendReporterFeedback(tx, actor, { nearMissId, message })),
    );
  }

  @Query(() => [NearMiss], {
    description: 'Reports awaiting triage in your services, overdue first, then by due time.',
  })
  async triageQueue(
    @Ctx() context: RequestContext,
    @Arg('serviceIds', () => [ID], { nullable: true }) serviceIds?: string[],
    @Arg('overdueOnly', () => Boolean, { nullable: true, defaultValue: false }) overdueOnly?: boolean,
  ): Promise<NearMiss[]> {
    authorize(context.principal, 'triage.queue');
    return context.db.read((tx) =>
      loadTriageQueue(tx, context.loaders.readScope(), serviceIds ?? undefined, overdueOnly ?? false),
    );
  }

  @FieldResolver(() => Triage, { nullable: true, description: 'The current triage decision, once triaged' })
  async triage(@Root() nearMiss: NearMiss, @Ctx() context: RequestContext): Promise<Triage | null> {
    const record = await context.lifecycle.triage.load(nearMiss.id);
    if (!record) return null;
    const seesClassification = isAllowed(context.principal, 'triage.justCulture.read');
    const protection = fieldProtection(context);
    return {
      route: record.route,
      suggestedRoute: record.suggestedRoute,
      overrideReason: protectText(protection, record.overrideReason ?? undefined),
      sameDay: record.sameDay,
      dueBy: record.dueBy,
      triagedAt: record.triagedAt,
      triagedBy: protectReference(protection, 'staff', record.triagedBy)!,
      withinDue: record.triagedAt.getTime() <= record.dueBy.getTime(),
      justCulture: seesClassification ? record.justCulture : undefined,
      justCultureResponse: seesClassification ? justCultureResponse[record.justCulture] : undefined,
      notify: record.notify,
      rationale: protectText(protection, record.rationale),
    };
  }

  @FieldResolver(() => [GateItem], {
    description: 'The category\'s "cannot proceed without" items for this report and their state',
  })
  async gates(@Root() nearMiss: NearMiss, @Ctx() context: RequestContext): Promise<GateItem[]> {
    const registered = context.services.registry.get(nearMiss.categoryKey);
    if (!registered) return [];
    const protection = fieldProtection(context);
    const completions = new Map(
      (await context.lifecycle.gateCompletions.load(nearMiss.id)).map((completion) => [completion.key, completion]),
    );
    return applicableGates(registered.definition, factsOf(nearMiss, registered)).map((gate) => {
      const done = completions.get(gate.key);
      return {
        ...gate,
        done: done !== undefined,
        doneBy: done ? protectReference(protection, 'staff', done.doneBy)! : undefined,
        doneAt: done?.doneAt,
      };
    });
  }

  @FieldResolver(() => [ReporterFeedback], {
    description: 'Messages to the reporter: acknowledgement, triage outcome, closure outcome, and any sent by hand',
  })
  async feedback(@Root() nearMiss: NearMiss, @Ctx() context: RequestContext): Promise<ReporterFeedback[]> {
    return (await context.lifecycle.feedback.load(nearMiss.id)).map(({ at, message }) => ({
      at,
      message: protectText(fieldProtection(context), message),
    }));
  }

  @Query(() => TenantSettingsType, { description: "Your organisation's settings" })
  async tenantSettings(@Ctx() context: RequestContext): Promise<TenantSettingsType> {
    authorize(context.principal, 'settings.read');
    return context.db.read((tx) => readTenantSettings(tx, context.principal.tenantId));
  }

  @Mutation(() => TenantSettingsType, {
    description: 'Changes triage windows for your organisation (new reports use them).',
  })
  async updateTenantSettings(
    @Arg('input', () => TenantSettingsInput) input: TenantSettingsInput,
    @Ctx() context: RequestContext,
  ): Promise<TenantSettingsType> {
    return context.mutate((tx, actor) => updateTenantSettings(tx, actor, input));
  }
}
