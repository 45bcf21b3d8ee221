import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { LogController } from 'fastify';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import pino, { DestinationStream, Logger as Pino } from 'pino';
import type { AppConfig } from '../../config/env';

/** Nest's level names to pino's. */
const PINO_LEVELS = {
  error: 'error',
  warn: 'warn',
  log: 'info',
  debug: 'debug',
  verbose: 'trace',
} as const satisfies Record<AppConfig['logLevel'], pino.Level>;

/** Known places of secrets in log objects; `scrub` handles GraphQL variables at any depth. */
const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'headers.authorization',
  'headers.cookie',
  'headers["x-api-key"]',
  'res.headers["set-cookie"]',
  // Top level only: wildcard paths would cost every line a walk of its object.
  'password',
  'token',
  'accessToken',
  'refreshToken',
  'apiKey',
];

/** JSON lines on stdout (or `destination`): one logger for Fastify, Nest and the app. */
export function createLogger(config: AppConfig, destination?: DestinationStream): Pino {
  return pino(
    {
      level: PINO_LEVELS[config.logLevel],
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    },
    destination,
  );
}

/** Client-chosen ids are kept only when they look like ids (no log injection, bounded length). */
const SANE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export function requestId(req: IncomingMessage): string {
  const header = req.headers['x-request-id'];
  return typeof header === 'string' && SANE_REQUEST_ID.test(header) ? header : randomUUID();
}

/** FastifyAdapter options: the shared logger, our request ids, no per-request lines of its own. */
export function fastifyLogging(logger: Pino) {
  return {
    loggerInstance: logger,
    genReqId: requestId,
    requestIdHeader: false as const,
    // One line per request is written by registerRequestLogging, with the operation in it.
    logController: new LogController({ disableRequestLogging: true, requestIdLogLabel: 'reqId' }),
  };
}

const OPERATION = Symbol('graphql operation');

/** Names the GraphQL operation of a request for its log lines (set by ObservabilityPlugin). */
export function setOperation(request: object, operation: string): void {
  (request as { [OPERATION]?: string })[OPERATION] = operation;
}

/** Probes and scrapes are frequent and dull: logged at debug. */
const QUIET_PATHS = new Set(['/health', '/health/live', '/health/ready', '/metrics']);

/**
 * The request id goes back in `x-request-id`; each request ends with one line:
 * method, path (never the query string: GET /graphql carries variables there),
 * status, duration and the GraphQL operation.
 */
export function registerRequestLogging(fastify: FastifyInstance): void {
  fastify.addHook('onRequest', (request: FastifyRequest, reply: FastifyReply, done) => {
    void reply.header('x-request-id', request.id);
    done();
  });
  fastify.addHook('onResponse', (request: FastifyRequest, reply: FastifyReply, done) => {
    const path = request.url.split('?', 1)[0];
    const level = QUIET_PATHS.has(path) ? 'debug' : 'info';
    const log = request.log as Pino;
    if (log.isLevelEnabled(level)) {
      log[level](
        {
          method: request.method,
          path,
          status: reply.statusCode,
          ms: Math.round(reply.elapsedTime * 10) / 10,
          operation: (request as { [OPERATION]?: string })[OPERATION],
        },
        'request completed',
      );
    }
    done();
  });
}

/** Names whose values never reach a log line, at any depth of GraphQL variables. */
const SECRET_NAME = /pass|token|secret|authorization|cookie|api.?key|credential/i;

export function scrub(value: unknown, depth = 0): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (depth > 8) return '[deep]';
  if (Array.isArray(value)) return value.map((item) => scrub(item, depth + 1));
  return Object.fromEntries(
    Object.entries(value).map(([key, item]) => [
      key,
      SECRET_NAME.test(key) ? '[redacted]' : scrub(item, depth + 1),
    ]),
  );
}
