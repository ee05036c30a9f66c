import { Arg, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { authorize } from '../auth/role-matrix';
import { notFound } from '../common/errors';
import { Staff } from '../host-entities/host-entity.types';
import { fieldProtection, protectReference, refuseLookup } from '../near-misses/field-protection';
import { NearMiss } from '../near-misses/near-miss.type';
import type { RequestContext } from '../server/context';
import { VerificationResult as VerificationResultEnum } from './corrective-action.type';
import type { VerificationResultValue } from '../verification/verification-rules';
import { isWeakOnly, planEffectiveness, type ActionStatusValue } from './action-rules';
import {
  actionScopeOf,
  countTargetOccurrences,
  listCaps,
  loadOverdueActions,
  loadOverdueChecks,
} from './corrective-action.repository';
import {
  addCorrectiveAction,
  cancelCorrectiveAction,
  completeCorrectiveAction,
  recordVerificationResult,
  scheduleVerification,
} from './corrective-action.service';
import {
  ActionPlan,
  ActionStatus,
  CorrectiveAction,
  CorrectiveActionInput,
  TargetEvaluation,
  VerificationCheck,
  VerificationScheduleInput,
} from './corrective-action.type';
import { targetMet, targetWindows } from './action-target';

/** An action a mutation returned (read inside its transaction), primed into the request's fresh loader. */
function actionPayload(context: RequestContext, id: string, action: CorrectiveAction | null): CorrectiveAction {
  if (!action) throw notFound(`Corrective action ${id} is not readable`);
  context.actions.byId.prime(action.id, action);
  return action;
}

function checkPayload(context: RequestContext, id: string, check: VerificationCheck | null): VerificationCheck {
  if (!check) throw notFound(`Verification check ${id} is not readable`);
  context.actions.checkById.prime(check.id, check);
  return check;
}

async function actionOrFail(context: RequestContext, id: string): Promise<CorrectiveAction> {
  const action = await context.actions.byId.load(id);
  if (!action) throw notFound(`Corrective action ${id} is not readable`);
  return action;
}

@Resolver(() => CorrectiveAction)
export class CorrectiveActionResolver {
  @Mutation(() => CorrectiveAction, {
    description: 'Adds a corrective action to one or more near misses (one action can answer a theme).',
  })
  async addCorrectiveAction(
    @Arg('input', () => CorrectiveActionInput) input: CorrectiveActionInput,
    @Ctx() context: RequestContext,
  ) {
    const action = await context.mutate((tx, actor) => addCorrectiveAction(tx, actor, input));
    return actionPayload(context, action.id, action);
  }

  @Mutation(() => CorrectiveAction, {
    description: 'Completes an action; the evidence must cover every evidenceRequired item.',
  })
  async completeCorrectiveAction(
    @Arg('id', () => ID) id: string,
    @Arg('evidence', () => [String]) evidence: string[],
    @Ctx() context: RequestContext,
  ) {
    return actionPayload(
      context,
      id,
      await context.mutate((tx, actor) => completeCorrectiveAction(tx, actor, { id, evidence })),
    );
  }

  @Mutation(() => CorrectiveAction, { description: 'Cancels an open action, with a reason.' })
  async cancelCorrectiveAction(
    @Arg('id', () => ID) id: string,
    @Arg('reason', () => String) reason: string,
    @Ctx() context: RequestContext,
  ) {
    return actionPayload(
      context,
      id,
      await context.mutate((tx, actor) => cancelCorrectiveAction(tx, actor, { id, reason })),
    );
  }

  @Mutation(() => [VerificationCheck], {
    description: 'Schedules a series of checks, e.g. a weekly audit for six weeks (everyDays: 7, count: 6).',
  })
  async scheduleVerification(
    @Arg('input', () => VerificationScheduleInput) input: VerificationScheduleInput,
    @Ctx() context: RequestContext,
  ) {
    const checks = await context.mutate((tx, actor) => scheduleVerification(tx, actor, input));
    for (const check of checks) context.actions.checkById.prime(check.id, check);
    return checks;
  }

  @Mutation(() => VerificationCheck, {
    description: 'Records a check result with evidence references; a FAIL reopens the action and its near misses.',
  })
  async recordVerificationResult(
    @Arg('id', () => ID) id: string,
    @Arg('result', () => VerificationResultEnum) result: VerificationResultValue,
    @Arg('evidence', () => [String]) evidence: string[],
    @Ctx() context: RequestContext,
    @Arg('notes', () => String, { nullable: true }) notes?: string,
  ) {
    return checkPayload(
      context,
      id,
      await context.mutate((tx, actor) => recordVerificationResult(tx, actor, { id, result, evidence, notes })),
    );
  }

  @Query(() => CorrectiveAction, { nullable: true })
  async correctiveAction(@Arg('id', () => ID) id: string, @Ctx() context: RequestContext) {
    authorize(context.principal, 'actions.read');
    return context.actions.byId.load(id);
  }

  @Query(() => [CorrectiveAction], { description: 'Open actions past their due date in your services, oldest first' })
  async overdueCorrectiveActions(
    @Ctx() context: RequestContext,
    @Arg('serviceIds', () => [ID], { nullable: true }) serviceIds?: string[],
  ) {
    authorize(context.principal, 'actions.read');
    return context.db.read((tx) => loadOverdueActions(tx, actionScopeOf(context.principal), serviceIds ?? undefined));
  }

  @Query(() => [VerificationCheck], { description: 'Checks past their due time without a result, oldest first' })
  async overdueVerificationChecks(
    @Ctx() context: RequestContext,
    @Arg('serviceIds', () => [ID], { nullable: true }) serviceIds?: string[],
  ) {
    authorize(context.principal, 'actions.read');
    return context.db.read((tx) => loadOverdueChecks(tx, actionScopeOf(context.principal), serviceIds ?? undefined));
  }

  @FieldResolver(() => [NearMiss], {
    description: `The near misses this action answers (those you may see), at most ${listCaps.nearMissesPerAction}`,
  })
  async nearMisses(@Root() action: CorrectiveAction, @Ctx() context: RequestContext): Promise<NearMiss[]> {
    const ids = await context.actions.nearMissIds.load(action.id);
    const nearMisses = await context.loaders.byId.loadMany(ids);
    return nearMisses.filter((nearMiss): nearMiss is NearMiss => nearMiss !== null && !(nearMiss instanceof Error));
  }

  @FieldResolver(() => Staff, {
    description: 'Pseudonymous (stf_...) for roles that see no individual staff (GOVERNANCE, ANALYST)',
  })
  owner(@Root() action: CorrectiveAction, @Ctx() context: RequestContext): Staff {
    return protectReference(fieldProtection(context), 'staff', action.ownerId)!;
  }

  @FieldResolver(() => TargetEvaluation, {
    description: 'The measurable target, counted before completion and since (read when selected)',
  })
  async targetEvaluation(@Root() action: CorrectiveAction, @Ctx() context: RequestContext): Promise<TargetEvaluation> {
    const now = new Date();
    const windows = targetWindows(action, now);
    const [before, after] = await context.db.read((tx) =>
      countTargetOccurrences(tx, action, windows.after ? [windows.before, windows.after] : [windows.before]),
    );
    const counted = windows.after ? after : null;
    return {
      windowDays: action.monitoringDays,
      before,
      after: counted,
      maxAfter: action.targetMaxRecurrences,
      met: targetMet(action, counted, now),
    };
  }

  @FieldResolver(() => [VerificationCheck])
  async verificationChecks(
    @Root() action: CorrectiveAction,
    @Ctx() context: RequestContext,
  ): Promise<VerificationCheck[]> {
    return context.actions.checks.load(action.id);
  }
}

@Resolver(() => VerificationCheck)
export class VerificationCheckResolver {
  @FieldResolver(() => CorrectiveAction)
  async action(@Root() check: VerificationCheck, @Ctx() context: RequestContext) {
    return actionOrFail(context, check.actionId);
  }

  @FieldResolver(() => Staff, { nullable: true, description: 'Pseudonymous (stf_...) for GOVERNANCE and ANALYST' })
  performedBy(@Root() check: VerificationCheck, @Ctx() context: RequestContext): Staff | null {
    return protectReference(fieldProtection(context), 'staff', check.performedById);
  }
}

@Resolver(() => NearMiss)
export class NearMissActionsResolver {
  @FieldResolver(() => [CorrectiveAction], {
    description: `Corrective actions for this near miss, oldest first, at most ${listCaps.actionsPerNearMiss}`,
  })
  async correctiveActions(@Root() nearMiss: NearMiss, @Ctx() context: RequestContext): Promise<CorrectiveAction[]> {
    return context.actions.byNearMiss.load(nearMiss.id);
  }

  @FieldResolver(() => Boolean, {
    description: 'True when every live action is WEAKER (e.g. only "we reminded staff"): the plan changes no control',
  })
  async weakOnly(@Root() nearMiss: NearMiss, @Ctx() context: RequestContext): Promise<boolean> {
    return isWeakOnly(await context.actions.byNearMiss.load(nearMiss.id));
  }

  @FieldResolver(() => ActionPlan, { description: 'Actions, strength mix, checks and effectiveness in one view' })
  async actionPlan(@Root() nearMiss: NearMiss, @Ctx() context: RequestContext): Promise<ActionPlan> {
    const actions = await context.actions.byNearMiss.load(nearMiss.id);
    const checks = (await context.actions.checks.loadMany(actions.map((action) => action.id))).flatMap((list) =>
      Array.isArray(list) ? list : [],
    );
    const live = actions.filter((action) => action.status !== 'CANCELLED');
    return {
      actions,
      strengthMix: {
        stronger: live.filter((action) => action.strength === 'STRONGER').length,
        intermediate: live.filter((action) => action.strength === 'INTERMEDIATE').length,
        weaker: live.filter((action) => action.strength === 'WEAKER').length,
      },
      weakOnly: isWeakOnly(actions),
      checksScheduled: checks.length,
      checksPassed: checks.filter((check) => check.result === 'PASS').length,
      checksFailed: checks.filter((check) => check.result === 'FAIL').length,
      checksOverdue: checks.filter((check) => check.overdue).length,
      effective: planEffectiveness(actions),
      noActionReason: nearMiss.noActionReason ?? null,
    };
  }
}

@Resolver(() => Staff)
export class StaffActionsResolver {
  @FieldResolver(() => [CorrectiveAction], {
    description: `Actions this member of staff owns (in services you may see), by due date, at most ${listCaps.actionsPerOwner}`,
  })
  async correctiveActionsOwned(
    @Root() staff: Staff,
    @Ctx() context: RequestContext,
    @Arg('status', () => [ActionStatus], { nullable: true }) status?: ActionStatusValue[],
  ): Promise<CorrectiveAction[]> {
    authorize(context.principal, 'actions.read');
    refuseLookup(context.principal, 'staff', staff.id);
    return context.actions.byOwner(status ?? undefined).load(staff.id);
  }
}
