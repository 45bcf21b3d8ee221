import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { NextFunction, Request, Response } from 'express';
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

/** Express middleware for `GET <path>` from a browser and `GET <path>/assets/*`. */
export function playgroundMiddleware(path: string) {
  const cache = new Map<string, Buffer>();
  const html = page(path);
  return (req: Request, res: Response, next: NextFunction) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    const url = req.path;
    if (url === path || url === `${path}/`) {
      // GraphQL-over-HTTP GETs (a `query` parameter, or a JSON Accept) go on to Apollo.
      if (
        req.query.query !== undefined ||
        req.accepts(['text/html', 'application/json']) !== 'text/html'
      ) {
        return next();
      }
      res.type('html').setHeader('cache-control', 'no-cache');
      return res.send(html);
    }
    const prefix = `${path}/assets/`;
    if (!url.startsWith(prefix)) return next();
    const name = url.slice(prefix.length);
    let body = cache.get(name);
    if (!body) {
      body = loadAsset(name);
      if (!body) return res.status(404).type('text').send('Not found');
      cache.set(name, body);
    }
    const type = name.endsWith('.css') ? 'text/css' : 'text/javascript';
    res.type(type).setHeader('cache-control', 'public, max-age=3600');
    return res.send(body);
  };
}
