import type { MiddlewareFn } from 'type-graphql';
import { badUserInput } from '../common/errors';
import { inputHygieneProblems } from '../common/input-hygiene';

/**
 * Every root field's arguments are checked for what PostgreSQL cannot store
 * (NUL characters, unpaired surrogates) and for runaway nesting before any
 * resolver runs, so no mutation can fail on them deep inside with a 500.
 */
export const inputHygieneMiddleware: MiddlewareFn = async ({ args, info }, next) => {
  const root = info.parentType.name;
  if ((root === 'Mutation' || root === 'Query') && args && Object.keys(args).length) {
    const problems = inputHygieneProblems(args);
    if (problems.length) throw badUserInput(problems);
  }
  return next() as Promise<unknown>;
};
