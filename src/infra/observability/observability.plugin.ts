import type {
  ApolloServerPlugin,
  GraphQLRequestContext,
  GraphQLRequestListener,
} from '@apollo/server';
import { Plugin } from '@nestjs/apollo';
import { PinoLogger } from 'nestjs-pino';
import type { GraphQLContext } from '../../config/graphql.options';
import { MetricsService } from '../metrics/metrics.service';
import { scrub, setOperation } from './logging';

/**
 * Per HTTP operation: latency by operation name and type, errors by code (as
 * the client received them), and the operation name on the request's log lines.
 * (Operations over graphql-ws do not pass through Apollo's request pipeline:
 * src/common/graphql/websocket-gate.ts counts those.)
 */
@Plugin()
export class ObservabilityPlugin implements ApolloServerPlugin<GraphQLContext> {
  constructor(
    private readonly metrics: MetricsService,
    private readonly log: PinoLogger,
  ) {
    this.log.setContext('GraphQL');
  }

  requestDidStart(): Promise<GraphQLRequestListener<GraphQLContext>> {
    const started = performance.now();
    let name = 'invalid';
    return Promise.resolve({
      didResolveOperation: (ctx) => {
        name = this.metrics.operationNames.label(ctx.operation?.name?.value);
        this.describe(ctx, name);
        return Promise.resolve();
      },
      willSendResponse: ({ operation, response }) => {
        this.metrics.operationDuration.observe(
          { operation: name, type: operation?.operation ?? 'unknown' },
          (performance.now() - started) / 1000,
        );
        if (response.body.kind === 'single') {
          this.metrics.countErrors(response.body.singleResult.errors ?? []);
        }
        return Promise.resolve();
      },
    });
  }

  private describe(ctx: GraphQLRequestContext<GraphQLContext>, name: string): void {
    setOperation(ctx.contextValue.req, name);
    try {
      // Nest log lines written while this request runs carry the operation too.
      this.log.assign({ operation: name });
    } catch {
      // Outside an HTTP request's log scope: nothing to annotate.
    }
    if (this.log.logger.isLevelEnabled('debug')) {
      this.log.debug({ variables: scrub(ctx.request.variables ?? {}) }, 'graphql operation');
    }
  }
}
