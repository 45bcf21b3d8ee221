import { Logger } from '@nestjs/common';
import { HttpException } from '@nestjs/common';
import { unwrapResolverError } from '@apollo/server/errors';
import { GraphQLError, GraphQLFormattedError } from 'graphql';
import { DriverException, UniqueConstraintViolationException } from '@mikro-orm/core';
import { DomainError, ErrorCode, ErrorDetails } from './domain-error';
import { isRetryableDatabaseError } from './transient';

const logger = new Logger('GraphQLError');

/** Codes the GraphQL layer sets before anything runs; their messages are safe to show. */
const GRAPHQL_LAYER_CODES = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_REQUEST',
  'BAD_USER_INPUT',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'OPERATION_RESOLUTION_FAILURE',
]);

interface Classified {
  code: string;
  message: string;
  details?: ErrorDetails;
}

/**
 * The one place where errors become what a client sees: a code from API.md, a
 * timestamp, and never a stack trace, SQL or path outside development.
 */
export function createErrorFormatter(options: { development: boolean }) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    // A refusal raised outside any resolver (e.g. a WebSocket limit) still carries its DomainError.
    const original =
      error instanceof GraphQLError && error.originalError instanceof DomainError
        ? error.originalError
        : unwrapResolverError(error);
    const { code, message, details } = classify(formatted, original);
    const extensions: Record<string, unknown> = { code, timestamp: new Date().toISOString() };
    if (details?.fields?.length) extensions.fields = details.fields;
    if (details?.retryAfter !== undefined) extensions.retryAfter = details.retryAfter;
    if (details?.retryable) extensions.retryable = true;
    if (options.development && original instanceof Error && original.stack) {
      extensions.stacktrace = original.stack.split('\n');
    }
    return { message, locations: formatted.locations, path: formatted.path, extensions };
  };
}

function classify(formatted: GraphQLFormattedError, original: unknown): Classified {
  if (original instanceof DomainError) {
    return {
      code: exposedCode(original.code),
      message: messageFor(original),
      details: original.details,
    };
  }
  if (original instanceof HttpException) return fromHttpException(original);
  if (original instanceof UniqueConstraintViolationException) {
    return { code: 'CONFLICT', message: 'That already exists' };
  }
  // Parse, validation and variable errors: raised by the GraphQL layer before any resolver ran.
  const layerCode = formatted.extensions?.code;
  if (
    typeof layerCode === 'string' &&
    GRAPHQL_LAYER_CODES.has(layerCode) &&
    original instanceof GraphQLError
  ) {
    return layerCode === 'BAD_USER_INPUT'
      ? fromVariableError(formatted.message)
      : { code: layerCode, message: formatted.message };
  }
  if (isRetryableDatabaseError(original)) {
    logTransient(original as Error);
    return {
      code: 'INTERNAL_SERVER_ERROR',
      message: 'Temporary failure: nothing was changed, try again',
      details: { retryable: true },
    };
  }
  if (original instanceof DriverException || original instanceof Error) {
    logger.error(original.message, original.stack);
  } else {
    logger.error(`Non-error thrown: ${String(original)}`);
  }
  return { code: 'INTERNAL_SERVER_ERROR', message: 'Internal server error' };
}

/** An outage fails every call: one line per 5 s, with how many were refused since the last. */
let transientSince = 0;
let transientCount = 0;
function logTransient(error: Error): void {
  transientCount += 1;
  const now = Date.now();
  if (now - transientSince < 5_000) return;
  logger.warn(`${transientCount} call(s) refused as retryable; last: ${error.message}`);
  transientSince = now;
  transientCount = 0;
}

/**
 * graphql-js echoes the whole submitted variable in its coercion errors
 * (`Variable "$input" got invalid value { password: "…" } at "input.x"; reason`):
 * keep the variable, the path and the reason, drop the echoed value, and name
 * the bad field as `extensions.fields` like every other BAD_USER_INPUT.
 */
export function fromVariableError(message: string): Classified {
  const missing =
    /^Variable "\$([^"]+)" of (?:required|non-null) type "[^"]+" (?:was not provided|must not be null)\.$/.exec(
      message,
    );
  if (missing) return { code: 'BAD_USER_INPUT', message, details: { fields: [missing[1]] } };
  const match = /^Variable "\$([^"]+)" got invalid value [\s\S]*?(?: at "([^"]+)")?; ([^;]*)$/.exec(
    message,
  );
  if (!match) return { code: 'BAD_USER_INPUT', message };
  const [, variable, at, reason] = match;
  const undefinedField = /^Field "([^"]+)" is not defined/.exec(reason)?.[1];
  const missingField = /^Field "([^"]+)" of required type/.exec(reason)?.[1];
  const path = at ?? [variable, undefinedField ?? missingField].filter(Boolean).join('.');
  // Reasons such as `Expected type "Int", found "abc"` quote the value again: cut at "found".
  const safeReason = reason.replace(/[;,]? ?found [\s\S]*$/, '.').replace(/: [\s\S]*$/, '.');
  return {
    code: 'BAD_USER_INPUT',
    message: `Variable "$${variable}" has an invalid value${at ? ` at "${at}"` : ''}: ${safeReason}`,
    details: { fields: [path.split('.').slice(1).join('.') || variable] },
  };
}

/** Exhaustive on purpose: a new code must be placed here before it compiles. */
function exposedCode(code: ErrorCode): ErrorCode {
  switch (code) {
    case 'UNAUTHENTICATED':
    case 'FORBIDDEN':
    case 'NOT_FOUND':
    case 'BAD_USER_INPUT':
    case 'CONFLICT':
    case 'GAME_RULE_VIOLATION':
    case 'RATE_LIMITED':
    case 'LLM_UNAVAILABLE':
    case 'INTERNAL_SERVER_ERROR':
      return code;
    default: {
      const unmapped: never = code;
      throw new Error(`Unmapped error code ${String(unmapped)}`);
    }
  }
}

function messageFor(error: DomainError): string {
  if (error.code !== 'INTERNAL_SERVER_ERROR') return error.message;
  logger.error(error.message, error.stack);
  return 'Internal server error';
}

/** Nest and Passport raise HTTP exceptions (401 from the JWT guard, 429 from the throttler). */
function fromHttpException(error: HttpException): Classified {
  const status = error.getStatus();
  switch (status) {
    case 400:
      return { code: 'BAD_USER_INPUT', message: error.message };
    case 401:
      return { code: 'UNAUTHENTICATED', message: 'Authentication required' };
    case 403:
      return { code: 'FORBIDDEN', message: 'Not allowed' };
    case 404:
      return { code: 'NOT_FOUND', message: 'Not found' };
    case 409:
      return { code: 'CONFLICT', message: error.message };
    case 429:
      return { code: 'RATE_LIMITED', message: 'Too many requests' };
    default:
      logger.error(error.message, error.stack);
      return { code: 'INTERNAL_SERVER_ERROR', message: 'Internal server error' };
  }
}
