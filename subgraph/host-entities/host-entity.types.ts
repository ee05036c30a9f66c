import { Directive, Field, ID, ObjectType } from 'type-graphql';

// Entities owned by the care-management suite. This subgraph only knows their
// ids and adds near-miss fields to them (see host-entity.resolvers.ts).

@Directive('@key(fields: "id")')
@ObjectType({ description: 'A person receiving care (owned by the host suite).' })
export class Person {
  @Field(() => ID) id!: string;
}

@Directive('@key(fields: "id")')
@ObjectType({ description: 'A member of staff (owned by the host suite).' })
export class Staff {
  @Field(() => ID) id!: string;
}

@Directive('@key(fields: "id")')
@ObjectType({ description: 'A scheduled visit (owned by the host suite).' })
export class Visit {
  @Field(() => ID) id!: string;
}

@Directive('@key(fields: "id")')
@ObjectType({ description: 'A medication administration record entry, the MAR (owned by the host suite).' })
export class MedicationRecord {
  @Field(() => ID) id!: string;
}

@Directive('@key(fields: "id")')
@ObjectType({ description: 'A rota shift (owned by the host suite).' })
export class Shift {
  @Field(() => ID) id!: string;
}

@Directive('@key(fields: "id")')
@ObjectType({ description: 'A care plan (owned by the host suite).' })
export class CarePlan {
  @Field(() => ID) id!: string;
}

export const hostReference = <T extends { id: string }>(Type: new () => T, id: string | null | undefined): T | null => {
  if (!id) return null;
  return Object.assign(new Type(), { id });
};
