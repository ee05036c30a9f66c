import { Arg, Ctx, FieldResolver, Int, Resolver, Root } from 'type-graphql';
import { NearMissFilter } from '../near-misses/near-miss.filter';
import type { LinkColumn } from '../near-misses/near-miss.repository';
import { connection } from '../near-misses/near-miss.resolver';
import { NearMiss, NearMissConnection } from '../near-misses/near-miss.type';
import { refuseLookup, type PseudonymKind } from '../near-misses/field-protection';
import type { RequestContext } from '../server/context';
import { CarePlan, MedicationRecord, Person, Shift, Staff, Visit } from './host-entity.types';

@Resolver(() => Person)
export class PersonResolver {
  @FieldResolver(() => NearMissConnection, { description: 'Near misses about this person that you may see' })
  nearMisses(
    @Root() person: Person,
    @Ctx() context: RequestContext,
    @Arg('filter', () => NearMissFilter, { nullable: true }) filter?: NearMissFilter,
    @Arg('first', () => Int, { nullable: true, defaultValue: 20 }) first = 20,
    @Arg('after', () => String, { nullable: true }) after?: string,
  ): NearMissConnection {
    return connection(context, filter, first, after, { column: 'person_id', value: person.id });
  }
}

@Resolver(() => Staff)
export class StaffResolver {
  @FieldResolver(() => NearMissConnection, {
    description: 'Near misses this member of staff reported that you may see',
  })
  nearMissesReported(
    @Root() staff: Staff,
    @Ctx() context: RequestContext,
    @Arg('first', () => Int, { nullable: true, defaultValue: 20 }) first = 20,
    @Arg('after', () => String, { nullable: true }) after?: string,
  ): NearMissConnection {
    return connection(context, undefined, first, after, { column: 'reported_by', value: staff.id });
  }
}

/** Near misses linked to a host record; refused to callers who see host links only as pseudonyms. */
const linked = (column: LinkColumn, kind: PseudonymKind) => (entity: { id: string }, context: RequestContext) => {
  refuseLookup(context.principal, kind, entity.id);
  return context.loaders.byLink(column).load(entity.id);
};

@Resolver(() => Visit)
export class VisitResolver {
  @FieldResolver(() => [NearMiss], { description: 'Near misses linked to this visit' })
  nearMisses(@Root() visit: Visit, @Ctx() context: RequestContext) {
    return linked('visit_id', 'visit')(visit, context);
  }
}

@Resolver(() => MedicationRecord)
export class MedicationRecordResolver {
  @FieldResolver(() => [NearMiss], { description: 'Near misses linked to this MAR entry' })
  nearMisses(@Root() record: MedicationRecord, @Ctx() context: RequestContext) {
    return linked('medication_record_id', 'medicationRecord')(record, context);
  }
}

@Resolver(() => Shift)
export class ShiftResolver {
  @FieldResolver(() => [NearMiss], { description: 'Near misses linked to this shift' })
  nearMisses(@Root() shift: Shift, @Ctx() context: RequestContext) {
    return linked('shift_id', 'shift')(shift, context);
  }
}

@Resolver(() => CarePlan)
export class CarePlanResolver {
  @FieldResolver(() => [NearMiss], { description: 'Near misses linked to this care plan' })
  nearMisses(@Root() carePlan: CarePlan, @Ctx() context: RequestContext) {
    return linked('care_plan_id', 'carePlan')(carePlan, context);
  }
}
