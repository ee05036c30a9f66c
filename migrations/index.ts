import { Foundation1763900000000 } from './1763900000000-Foundation';

/** Every migration, in order. Never edit one that has landed: add a new one. */
export const migrations = [Foundation1763900000000];
