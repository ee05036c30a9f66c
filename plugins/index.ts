import type { CategoryDefinition } from './sdk';
import { environment } from './environment';
import { escalation } from './escalation';
import { mealtime } from './mealtime';
import { medication } from './medication';
import { rota } from './rota';
import { safeguarding } from './safeguarding';
import { transport } from './transport';

/** The categories that ship with the subgraph, in the order forms list them. */
export const builtInCategories = [
  medication,
  transport,
  mealtime,
  escalation,
  safeguarding,
  rota,
  environment,
] as unknown as CategoryDefinition[];
