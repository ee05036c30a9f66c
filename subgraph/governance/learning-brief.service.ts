import { z } from 'zod';
import type { Principal } from '../auth/principal';
import { worksInService } from '../auth/principal';
import { validate } from '../common/validation';
import type { Transaction } from '../database/transaction';
import { restrictedCategoriesOf } from '../near-misses/read-scope';
import type { AppServices } from '../server/app-services';
import { learningBriefItems, type LearningBriefItem } from './learning-brief';
import { loadConcludedReviews, loadEffectiveActions } from './learning-brief.repository';

const day = 24 * 60 * 60 * 1000;

export interface LearningBriefRequest {
  from: Date;
  to: Date;
  serviceIds?: string[] | null;
}

/** "You said, we did" for [from, to) in the caller's services (those asked, else all of them). */
export async function learningBrief(
  tx: Transaction,
  principal: Principal,
  services: Pick<AppServices, 'registry'>,
  request: LearningBriefRequest,
): Promise<LearningBriefItem[]> {
  const input = validate(
    z
      .object({
        from: z.date('must be a date-time'),
        to: z.date('must be a date-time'),
        serviceIds: z.array(z.string().max(100)).max(50, 'may hold at most 50 items').optional(),
      })
      .refine((value) => value.from.getTime() < value.to.getTime(), { path: ['to'], message: 'must be after from' })
      .refine((value) => value.to.getTime() - value.from.getTime() <= 800 * day, {
        path: ['to'],
        message: 'may be at most 800 days after from',
      }),
    { ...request, serviceIds: request.serviceIds ?? undefined },
  );
  const asked = input.serviceIds?.filter((serviceId) => worksInService(principal, serviceId));
  const serviceIds = asked ?? (principal.services === '*' ? null : principal.services);
  const scope = {
    tenantId: principal.tenantId,
    serviceIds,
    hiddenCategories: restrictedCategoriesOf(principal, services.registry)?.categories ?? [],
    from: input.from,
    to: input.to,
  };
  if (serviceIds?.length === 0) return [];
  const reviews = await loadConcludedReviews(tx, scope);
  const actions = await loadEffectiveActions(tx, scope);
  return learningBriefItems(reviews, actions, (key) => services.registry.get(key)?.definition.label ?? key);
}
