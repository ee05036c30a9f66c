import { Ctx, Field, ID, ObjectType, Query, Resolver } from 'type-graphql';
import type { RequestContext } from '../server/context';
import { Role } from './role';

@ObjectType({ description: 'The caller, as the token describes them.' })
export class Viewer {
  @Field(() => ID, { description: 'Staff id (sub)' }) staffId!: string;
  @Field(() => ID, { description: 'Provider organisation (tenant)' }) tenantId!: string;
  @Field(() => [Role]) roles!: Role[];
  @Field(() => [ID], { description: 'Service ids; ["*"] means every service of the organisation' }) services!: string[];
}

@Resolver()
export class ViewerResolver {
  @Query(() => Viewer, { description: 'Who the subgraph thinks you are: handy to check a token end to end.' })
  viewer(@Ctx() context: RequestContext): Viewer {
    const { principal } = context;
    return {
      staffId: principal.staffId,
      tenantId: principal.tenantId,
      roles: principal.roles,
      services: principal.services === '*' ? ['*'] : principal.services,
    };
  }
}
