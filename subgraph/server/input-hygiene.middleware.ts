import type { MiddlewareFn } from 'type-graphql';
import { badUserInput } from '../common/errors';
import { inputHygieneProblems } from '../common/input-hygiene';

/**
 * Every field's arguments (root fields and nested ones such as
 * `Person.nearMisses(filter:)`) are checked for what PostgreSQL cannot store
 * (NUL characters, unpaired surrogates) and for runaway nesting before its
 * resolver runs, so nothing can fail on them deep inside with a 500.
 */
export const inputHygieneMiddleware: MiddlewareFn = async ({ args }, next) => {
  if (args && Object.keys(args).length) {
    const problems = inputHygieneProblems(args);
    if (problems.length) throw badUserInput(problems);
  }
  return next() as Promise<unknown>;
};
