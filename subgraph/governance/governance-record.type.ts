import { Field, ID, InputType, ObjectType } from 'type-graphql';
import { CorrectiveAction } from '../corrective-actions/corrective-action.type';
import { LearningResponseMethod } from '../domain/graphql-enums';
import type { LearningResponseMethodValue } from '../domain/vocabulary';
import { NearMiss } from '../near-misses/near-miss.type';
import { RiskReview } from '../patterns/risk-review.type';

@ObjectType({
  description: "A governance meeting's review of a period: who attended, what it decided, what it reopened.",
})
export class GovernanceReview {
  @Field(() => ID) id!: string;
  @Field() from!: Date;
  @Field() to!: Date;
  @Field(() => [ID], { description: 'The services reviewed; empty: every service' }) serviceIds!: string[];
  @Field() heldAt!: Date;
  @Field(() => [String]) attendees!: string[];
  @Field(() => [String]) decisions!: string[];
  @Field({ description: 'Whether near-miss patterns show an emerging risk' }) emergingRisk!: boolean;
  @Field(() => [NearMiss], { description: 'Near misses the review reopened (those you may read)' })
  reopenedNearMisses?: NearMiss[];
  reopenedNearMissIds!: string[];
}

@ObjectType({ description: 'How the organisation learned (PSIRF), and what it concerned.' })
export class LearningResponse {
  @Field(() => ID) id!: string;
  @Field(() => LearningResponseMethod) method!: LearningResponseMethodValue;
  @Field() heldAt!: Date;
  @Field(() => [String]) participants!: string[];
  @Field({ description: 'For ANALYST callers, "[withheld]"' }) findings!: string;
  @Field(() => [NearMiss], { description: 'The near misses it concerned (those you may read)' })
  nearMisses?: NearMiss[];
  @Field(() => [RiskReview], { description: 'The risk reviews it concerned (those you may read)' })
  riskReviews?: RiskReview[];
  @Field(() => [CorrectiveAction], { description: 'The actions it produced or looked at (those you may read)' })
  actions?: CorrectiveAction[];
  nearMissIds!: string[];
  riskReviewIds!: string[];
  actionIds!: string[];
}

@InputType()
export class GovernanceReviewInput {
  @Field() from!: Date;
  @Field() to!: Date;
  @Field(() => [ID], { nullable: true, description: 'Your services it reviewed; none: all of them' })
  serviceIds?: string[];
  @Field() heldAt!: Date;
  @Field(() => [String]) attendees!: string[];
  @Field(() => [String]) decisions!: string[];
  @Field() emergingRisk!: boolean;
  @Field(() => [ID], { nullable: true, description: 'Closed or verifying near misses the review reopens' })
  reopenNearMissIds?: string[];
}

@InputType()
export class LearningResponseInput {
  @Field(() => LearningResponseMethod) method!: LearningResponseMethodValue;
  @Field() heldAt!: Date;
  @Field(() => [String]) participants!: string[];
  @Field() findings!: string;
  @Field(() => [ID], { nullable: true }) nearMissIds?: string[];
  @Field(() => [ID], { nullable: true }) riskReviewIds?: string[];
  @Field(() => [ID], { nullable: true }) actionIds?: string[];
}

@ObjectType({ description: '"You said, we did": a pattern staff reported and what changed because of it.' })
export class LearningBriefItem {
  @Field({ description: 'The kind of near miss (category)' }) theme!: string;
  @Field({ description: 'What the reports showed, in counts and kinds: no report text' }) whatWeSaw!: string;
  @Field({ description: 'What changed: the corrective actions taken' }) whatChanged!: string;
  @Field(() => [ID]) services!: string[];
}
