import { GraphQLError } from 'graphql';

/** The contract's error codes (`extensions.code`). */
export enum ErrorCode {
  BadUserInput = 'BAD_USER_INPUT',
  Unauthenticated = 'UNAUTHENTICATED',
  Forbidden = 'FORBIDDEN',
  NotFound = 'NOT_FOUND',
  Conflict = 'CONFLICT',
  GateBlocked = 'GATE_BLOCKED',
}

/** The HTTP status of each code, wherever an error is answered outside GraphQL's own responses. */
export const httpStatusOf: Record<ErrorCode, number> = {
  [ErrorCode.BadUserInput]: 400,
  [ErrorCode.Unauthenticated]: 401,
  [ErrorCode.Forbidden]: 403,
  [ErrorCode.NotFound]: 404,
  [ErrorCode.Conflict]: 409,
  [ErrorCode.GateBlocked]: 409,
};

export interface FieldProblem {
  path: string;
  message: string;
}

/** A failure the caller can act on; everything else is masked as INTERNAL_SERVER_ERROR. */
export class DomainError extends GraphQLError {
  constructor(
    readonly code: ErrorCode,
    message: string,
    extra: Record<string, unknown> = {},
  ) {
    super(message, { extensions: { code, ...extra } });
    this.name = 'DomainError';
  }
}

export const badUserInput = (fields: FieldProblem[], message?: string) =>
  new DomainError(
    ErrorCode.BadUserInput,
    message ?? `Invalid input: ${fields.map((field) => `${field.path}: ${field.message}`).join('; ')}`,
    { fields },
  );
export const unauthenticated = (message = 'A valid bearer token is required') =>
  new DomainError(ErrorCode.Unauthenticated, message);
export const forbidden = (message: string) => new DomainError(ErrorCode.Forbidden, message);
export const notFound = (message: string) => new DomainError(ErrorCode.NotFound, message);
export const conflict = (message: string, extra: Record<string, unknown> = {}) =>
  new DomainError(ErrorCode.Conflict, message, extra);
export const gateBlocked = (missing: string[], message?: string) =>
  new DomainError(ErrorCode.GateBlocked, message ?? `Gate items still open: ${missing.join(', ')}`, { missing });

export const isDomainError = (error: unknown): error is DomainError => error instanceof DomainError;
