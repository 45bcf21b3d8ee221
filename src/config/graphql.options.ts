import { ApolloDriver, ApolloDriverConfig } from '@nestjs/apollo';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ExecutionResult, GraphQLError } from 'graphql';
import type { Context as WsContext } from 'graphql-ws';
import { createErrorFormatter } from '../common/errors/format-error';
import { rejectHttpSubscriptions } from '../common/graphql/http-subscriptions.plugin';
import { LoaderRegistry } from '../common/graphql/loaders';
import { AuthModule } from '../modules/auth/auth.module';
import { AuthService } from '../modules/auth/auth.service';
import type { AuthUser } from '../common/auth/auth-user';
import { APP_CONFIG } from './config.module';
import type { AppConfig } from './env';

export const GRAPHQL_PATH = '/graphql';

type ConnectionParams = { authorization?: unknown; Authorization?: unknown } | undefined;
type WsExtra = { user?: AuthUser };

/** Resolver context: `req` is the HTTP request, or a stand-in built from a WebSocket's connectionParams. */
export interface GraphQLContext {
  req: { headers: Record<string, unknown>; user?: AuthUser };
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
function buildContext(first: unknown, second?: unknown): GraphQLContext {
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
    req: { headers: token ? { authorization: `Bearer ${token}` } : {} },
    loaders: new LoaderRegistry(),
  };
}

export const graphqlOptions = {
  driver: ApolloDriver,
  imports: [AuthModule],
  inject: [APP_CONFIG, AuthService],
  useFactory: (config: AppConfig, auth: AuthService): ApolloDriverConfig => {
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
      plugins: [rejectHttpSubscriptions],
      context: buildContext,
      subscriptions: {
        'graphql-ws': {
          path: GRAPHQL_PATH,
          // An anonymous connection may open (its operations then fail UNAUTHENTICATED);
          // a connection that presents a bad token is closed with 4403.
          onConnect: async (ctx: WsContext) => {
            const extra = ctx.extra as WsExtra;
            const token = bearerFrom(ctx.connectionParams as ConnectionParams);
            if (!token) return true;
            try {
              extra.user = await auth.verifyAccessToken(token);
              return true;
            } catch {
              return false;
            }
          },
          // Nest's type omits onError, but passes it through to graphql-ws.
          ...({
            onError: (
              _ctx: unknown,
              _id: unknown,
              _payload: unknown,
              errors: readonly GraphQLError[],
            ) => formatAll(errors),
          } as object),
          onNext: (
            _ctx: unknown,
            _id: unknown,
            _payload: unknown,
            _args: unknown,
            result: ExecutionResult,
          ) => (result.errors ? { ...result, errors: formatAll(result.errors) } : undefined),
        },
      },
    };
  },
};
