import cors from '@fastify/cors';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import helmet from 'helmet';
import type { AppConfig } from '../../config/env';

/**
 * Fastify's own options for what reaches the app: body size (past it Fastify
 * answers 413 `{"statusCode":413,"error":"Payload Too Large",...}` before any
 * GraphQL work) and whose X-Forwarded-For counts.
 */
export function fastifyOptions(config: AppConfig) {
  return { bodyLimit: config.http.bodyLimitBytes, trustProxy: config.http.trustProxy };
}

/**
 * Security headers and CORS, both from config. The CSP lets the offline
 * playground run: its scripts and styles are served from this origin
 * (src/common/graphql/playground), plus one inline <style>; its WebSocket goes
 * to this origin too ('self' covers ws:/wss: of the same host).
 */
export async function registerHttpSecurity(
  app: NestFastifyApplication,
  config: AppConfig,
): Promise<void> {
  // helmet itself, built once: @fastify/helmet rebuilds it (CSP parsing included) on every
  // request, ~5 % of a cached read's CPU. The headers are the same for every route.
  const securityHeaders = helmet({
    contentSecurityPolicy: {
      useDefaults: true,
      directives: {
        'script-src': ["'self'"],
        'style-src': ["'self'", "'unsafe-inline'"],
        'connect-src': ["'self'"],
        'img-src': ["'self'", 'data:'],
        'font-src': ["'self'", 'data:'],
        // Plain-HTTP deployments (a LAN address) would otherwise lose their own assets.
        'upgrade-insecure-requests': null,
      },
    },
    // The playground's inline scripts would need it off anyway; GraphQL answers are not pages.
    crossOriginEmbedderPolicy: false,
  });
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onRequest', (request, reply, done) => {
      securityHeaders(request.raw, reply.raw, (error?: unknown) =>
        done(error as Error | undefined),
      );
    });
  if (config.http.corsOrigins.length > 0) {
    await app.register(cors, {
      origin: config.http.corsOrigins.includes('*') ? '*' : config.http.corsOrigins,
      methods: ['GET', 'POST', 'OPTIONS'],
      allowedHeaders: ['content-type', 'authorization', 'apollo-require-preflight'],
      maxAge: 600,
    });
  }
}
