// Scenario 2: the same reads with the GraphQL response cache on (GRAPHQL_CACHE=true, the
// default: src/common/cache, Redis-backed, tag-invalidated) and off, on PostgreSQL + Redis.
// Reads: the item catalogue's first page, a location with its exits and NPCs, and the hot
// character read of bench/hot-read.ts, each signed in; all three are answered whole by the
// operation cache when it is on (per user, src/common/cache/operation-cache.ts). Ratio: cached ÷
// uncached req/s (no target).
//
//   node scripts/run-ts.js bench/cache.ts
import { furnishedPlayer, startApp, type Furnished, HOT_READ } from './hot-read';
import { gql } from './lib/game';
import {
  isMain,
  type Load,
  machine,
  MEASURE_SECONDS,
  measureLoad,
  printTable,
  report,
  runMain,
  watchdog,
  WARMUP_SECONDS,
  type Child,
} from './lib/harness';

const READS = {
  catalogue: {
    query:
      'query Catalogue { items(first: 50) { edges { cursor node { id name description rarity type slot value weight stats effects } } pageInfo { endCursor hasNextPage } } }',
    variables: () => ({}),
  },
  location: {
    query:
      'query Place($id: ID!) { location(id: $id) { id name description region exits { id name region } npcs { id name role description } } }',
    variables: () => ({ id: 'millbrook-square' }),
  },
  'hot read': {
    query: HOT_READ,
    variables: (f: Furnished) => ({ id: f.playerId }),
  },
} as const;
type Read = keyof typeof READS;

async function measureAll(server: Child): Promise<Record<Read, Load>> {
  const f = await furnishedPlayer(server);
  const url = server.info.url as string;
  const out = {} as Record<Read, Load>;
  for (const [name, read] of Object.entries(READS) as [Read, (typeof READS)[Read]][]) {
    const expected = JSON.stringify({
      data: await gql(url, read.query, read.variables(f), f.token),
    });
    out[name] = await measureLoad(
      {
        url: `${url}/graphql`,
        body: JSON.stringify({ query: read.query, variables: read.variables(f) }),
        headers: { authorization: `Bearer ${f.token}` },
        check: (b) => b.trimEnd() === expected,
      },
      server,
    );
    process.stdout.write(`${name} ${out[name].reqPerSec.toFixed(0)} req/s; `);
  }
  console.log('');
  return out;
}

async function main(): Promise<number> {
  watchdog(120 + 2 * (60 + 3 * (WARMUP_SECONDS + MEASURE_SECONDS)));
  console.log(`cache bench — ${machine()}`);
  const results = {} as Record<'on' | 'off', Record<Read, Load>>;
  for (const mode of ['off', 'on'] as const) {
    process.stdout.write(`  cache ${mode}: `);
    const app = await startApp('pg', { env: { GRAPHQL_CACHE: mode === 'on' ? 'true' : 'false' } });
    try {
      results[mode] = await measureAll(app.server);
    } finally {
      await app.dispose();
    }
  }
  const rows: string[][] = [];
  let failed = false;
  for (const name of Object.keys(READS) as Read[]) {
    const on = results.on[name];
    const off = results.off[name];
    rows.push([
      name,
      off.reqPerSec.toFixed(0),
      String(off.p99),
      on.reqPerSec.toFixed(0),
      String(on.p99),
      `${(on.reqPerSec / off.reqPerSec).toFixed(2)}x`,
      String(on.failures + off.failures),
    ]);
    if (on.failures + off.failures > 0) failed = true;
    report({
      scenario: 'cache',
      figure: `${name}, cached vs uncached`,
      value: on.reqPerSec,
      baseline: off.reqPerSec,
      ratio: on.reqPerSec / off.reqPerSec,
      target: 'none (> 1x expected)',
      unit: 'req/s',
    });
  }
  console.log('');
  printTable(
    ['read', 'uncached req/s', 'p99 ms', 'cached req/s', 'p99 ms', 'ratio', 'failed'],
    rows,
  );
  return failed ? 1 : 0;
}

if (isMain(__filename)) runMain(main);
