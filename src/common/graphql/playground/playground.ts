import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { PLAYGROUND_CLIENT_JS } from './playground.client';

/**
 * GraphiQL served from our own node_modules: nothing is fetched from a CDN, so
 * the playground works offline. Subscriptions go through graphql-ws on the same
 * path; the Authorization header typed in GraphiQL is also sent as
 * `connectionParams.authorization`.
 */
const ASSETS: Record<string, { module: string; file: string }> = {
  'react.js': { module: 'react', file: 'umd/react.production.min.js' },
  'react-dom.js': { module: 'react-dom', file: 'umd/react-dom.production.min.js' },
  'graphiql.js': { module: 'graphiql', file: 'graphiql.min.js' },
  'graphiql.css': { module: 'graphiql', file: 'graphiql.min.css' },
  'graphql-ws.js': { module: 'graphql-ws', file: 'umd/graphql-ws.min.js' },
};

/** The bytes of a whitelisted asset (names outside the list are never read). */
function loadAsset(name: string): Buffer | undefined {
  if (name === 'playground.js') return Buffer.from(PLAYGROUND_CLIENT_JS);
  const asset = ASSETS[name];
  if (!asset) return undefined;
  const root = dirname(require.resolve(`${asset.module}/package.json`));
  return readFileSync(join(root, asset.file));
}

const page = (base: string) => `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Loremaster playground</title>
  <link rel="stylesheet" href="${base}/assets/graphiql.css">
  <style>html, body, #graphiql { height: 100%; margin: 0; }</style>
</head>
<body>
  <div id="graphiql">Loading the playground…</div>
  <script src="${base}/assets/react.js"></script>
  <script src="${base}/assets/react-dom.js"></script>
  <script src="${base}/assets/graphql-ws.js"></script>
  <script src="${base}/assets/graphiql.js"></script>
  <script src="${base}/assets/playground.js" data-endpoint="${base}"></script>
</body>
</html>`;

/** A browser asking for a page, not a GraphQL client asking for JSON. */
function wantsPage(accept: string | undefined): boolean {
  return typeof accept === 'string' && accept.includes('text/html');
}

/** Serves `GET <path>` to browsers and `GET <path>/assets/:name`; everything else goes on to Apollo. */
export function registerPlayground(fastify: FastifyInstance, path: string): void {
  const html = page(path);
  const cache = new Map<string, Buffer>();

  fastify.addHook('onRequest', async (request, reply) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return;
    const [pathname, search] = request.url.split('?', 2);
    // GraphQL-over-HTTP GETs carry a query string; those stay Apollo's.
    if (
      (pathname === path || pathname === `${path}/`) &&
      !search &&
      wantsPage(request.headers.accept)
    ) {
      return reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(html);
    }
  });

  fastify.get<{ Params: { name: string } }>(`${path}/assets/:name`, async (request, reply) => {
    const { name } = request.params;
    let body = cache.get(name);
    if (!body) {
      body = loadAsset(name);
      if (!body) return reply.code(404).type('text/plain').send('Not found');
      cache.set(name, body);
    }
    const type = name.endsWith('.css')
      ? 'text/css; charset=utf-8'
      : 'text/javascript; charset=utf-8';
    return reply.type(type).header('cache-control', 'public, max-age=3600').send(body);
  });
}
