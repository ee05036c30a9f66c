import type { CategoryDefinition } from './sdk';
import { medication } from './medication';

/** The categories that ship with the subgraph. */
export const builtInCategories: CategoryDefinition[] = [medication as unknown as CategoryDefinition];
