import { MikroORM, RequestContext } from '@mikro-orm/core';
import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';
import { ApolloDriver, ApolloDriverConfig } from '@nestjs/apollo';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { execute, type ExecutionArgs, type ExecutionResult, type GraphQLError } from 'graphql';
import type { SubscribePayload, Context as WsContext } from 'graphql-ws';
import { OperationCache } from '../common/cache/operation-cache';
import { createErrorFormatter } from '../common/errors/format-error';
import { CostAnalysis, hardeningPlugin, hardeningRules } from '../common/graphql/hardening';
import { rejectHttpSubscriptions } from '../common/graphql/http-subscriptions.plugin';
import { GateContext, WebSocketGate } from '../common/graphql/websocket-gate';
import { WebSocketGateModule } from '../common/graphql/websocket-gate.module';
import { LoaderRegistry } from '../common/graphql/loaders';
import { sharedSubscribe } from '../common/graphql/shared-subscriptions';
import { AuthModule } from '../modules/auth/auth.module';
import type { AuthUser } from '../common/auth/auth-user';
import { APP_CONFIG } from './config.module';
import type { AppConfig } from './env';

export const GRAPHQL_PATH = '/graphql';

type ConnectionParams = { authorization?: unknown; Authorization?: unknown } | undefined;
type WsExtra = { user?: AuthUser };

/** Resolver context: `req` is the HTTP request, or a stand-in built from a WebSocket's connectionParams. */
export interface GraphQLContext {
  req: { headers: Record<string, unknown>; user?: AuthUser; ip?: string };
  res?: FastifyReply;
  /** This request's (or subscription operation's) DataLoaders. */
  loaders: LoaderRegistry;
}

function isWsContext(value: unknown): value is WsContext<ConnectionParams, WsExtra> {
  return (
    typeof value === 'object' && value !== null && 'extra' in value && 'connectionParams' in value
  );
}

function bearerFrom(params: ConnectionParams): string | undefined {
  const value = params?.authorization ?? params?.Authorization;
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  return value.replace(/^Bearer\s+/i, '').trim();
}

/** Fastify calls it with (request, reply); graphql-ws with its connection context. */
function buildContext(gate: WebSocketGate, first: unknown, second?: unknown): GraphQLContext {
  if (!isWsContext(first)) {
    return {
      req: first as FastifyRequest as GraphQLContext['req'],
      res: second as FastifyReply,
      loaders: new LoaderRegistry(),
    };
  }
  // graphql-ws: every operation re-runs the same guard, from the connection's token.
  const ws = first;
  const token = bearerFrom(ws.connectionParams);
  return {
    req: {
      headers: token ? { authorization: `Bearer ${token}` } : {},
      ip: gate.addressOf(ws as unknown as GateContext),
    },
    loaders: new LoaderRegistry(),
  };
}

export const graphqlOptions = {
  driver: ApolloDriver,
  imports: [AuthModule, WebSocketGateModule],
  inject: [APP_CONFIG, WebSocketGate, MikroORM, OperationCache],
  useFactory: (
    config: AppConfig,
    gate: WebSocketGate,
    orm: MikroORM,
    operationCache: OperationCache,
  ): ApolloDriverConfig => {
    const formatError = createErrorFormatter({ development: config.nodeEnv === 'development' });
    const formatAll = (errors: readonly GraphQLError[]) =>
      errors.map((e) => formatError(e.toJSON(), e));
    return {
      path: GRAPHQL_PATH,
      autoSchemaFile: true,
      sortSchema: true,
      playground: false,
      introspection: config.graphql.introspection,
      includeStacktraceInErrorResponses: false,
      autoTransformHttpErrors: false,
      formatError,
      // Query hardening (src/common/graphql/hardening.ts); the WebSocket path applies the same.
      validationRules: hardeningRules(config.graphql),
      parseOptions: { maxTokens: config.graphql.maxTokens },
      hideSchemaDetailsFromClientErrors: config.graphql.hideSuggestions,
      csrfPrevention: true,
      allowBatchedHttpRequests: false,
      plugins: [
        rejectHttpSubscriptions,
        hardeningPlugin(new CostAnalysis(config.graphql.maxCost), gate.schema),
        operationCache,
        // Apollo's cache-control plugin hooks every resolved field to compute HTTP cache
        // hints nobody reads here (answers are per user; OperationCache does the caching).
        ApolloServerPluginCacheControlDisabled(),
      ],
      context: (first: unknown, second?: unknown) => buildContext(gate, first, second),
      subscriptions: {
        'graphql-ws': {
          path: GRAPHQL_PATH,
          connectionInitWaitTimeout: config.ws.connectionInitTimeoutMs,
          // An anonymous connection may open (its operations then fail UNAUTHENTICATED);
          // a connection that presents a bad token is closed with 4403.
          onConnect: (ctx: WsContext) => gate.onConnect(ctx as GateContext),
          // Nest's type omits these, but passes them through to graphql-ws.
          ...({
            // Queries and mutations over the socket get their own identity map, as an HTTP request does.
            execute: (args: ExecutionArgs) => RequestContext.create(orm.em, () => execute(args)),
            // Subscribers of one event asking the same thing share one execution of it; results
            // without errors then go straight to the sockets (WebSocketGate.onOperation), the
            // others through onNext below.
            subscribe: sharedSubscribe((context) => (context as GraphQLContext).req.user?.id),
            onSubscribe: (ctx: GateContext, id: string, payload: SubscribePayload) =>
              gate.onSubscribe(ctx, id, payload),
            onOperation: (
              ctx: GateContext,
              id: string,
              _p: unknown,
              _a: unknown,
              result: unknown,
            ) => gate.onOperation(ctx, id, result),
            onComplete: (ctx: GateContext, id: string) => gate.onOperationEnd(ctx, id),
            onClose: (ctx: GateContext) => gate.onClose(ctx),
            onError: (
              ctx: GateContext,
              id: string,
              _payload: unknown,
              errors: readonly GraphQLError[],
            ) => {
              gate.onOperationEnd(ctx, id);
              const formatted = formatAll(errors);
              gate.countErrors(formatted);
              return formatted;
            },
          } as object),
          onNext: (
            _ctx: unknown,
            _id: unknown,
            _payload: unknown,
            _args: unknown,
            result: ExecutionResult,
          ) => {
            if (!result.errors) return undefined;
            const errors = formatAll(result.errors);
            gate.countErrors(errors);
            return { ...result, errors };
          },
        },
      },
    };
  },
};
