import { Field, ObjectType } from 'type-graphql';

@ObjectType({ description: 'A code of an outside code system (see docs/standards.md for every list).' })
export class StandardCode {
  @Field({ description: 'The code system, e.g. http://terminology.hl7.org/CodeSystem/adverse-event-category' })
  system!: string;
  @Field() code!: string;
  @Field(() => String, { nullable: true }) display?: string;
}

@ObjectType({ description: 'The near miss in national and international taxonomies, from its category plugin.' })
export class StandardCodes {
  @Field(() => [StandardCode], {
    description: 'NHS LFPSE: event type, physical harm, medication process stage (medication), detection point',
  })
  lfpse!: StandardCode[];
  @Field(() => [StandardCode], {
    description:
      'AHRQ Common Formats: event type, event category, why it did not reach the person, handover involvement',
  })
  ahrq!: StandardCode[];
  @Field(() => String, {
    nullable: true,
    description: 'NCC MERP category (A or B) of a medication near miss, given when it was reported',
  })
  nccMerp?: string;
  @Field(() => [StandardCode], { description: 'HL7 FHIR AdverseEvent category' }) fhirCategory!: StandardCode[];
}
