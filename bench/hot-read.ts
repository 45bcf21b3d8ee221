// Scenario 1: the hot authenticated read. A signed-in player polls their character with its
// stats, inventory (items), active quests (objectives, rewards) and location (exits), through
// the whole server as deployed: Fastify, helmet, parsing and validation with every hardening
// rule, the token and session check, the rate limit, metrics and logging, and the operation
// cache (src/common/cache/operation-cache.ts), which answers a repeated read whole (the read
// with the caches off, resolvers, loaders and SQL included, is in bench/cache.ts and
// bench/read-cost.ts with BENCH_APP_ENV='{"GRAPHQL_CACHE":"false"}'). On PostgreSQL + Redis and on
// the embedded defaults (PGlite, memory cache). Baseline: bare Apollo Server 5
// (bench/lib/bare-apollo.ts) answering the same query from the same schema and the real
// server's own answer, held in memory.
//
//   node scripts/run-ts.js bench/hot-read.ts [--only=pg|pglite] [--profile]
//
// --profile records a CPU profile of the real server during the load (inspector, 200 µs
// sampling) and prints where its time went (bench/lib/profile.ts). Target: real server ≥ 0.5× the bare Apollo req/s.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { createPlayer, furnish, gql, register } from './lib/game';
import {
  createPgDatabase,
  fmt,
  type Load,
  machine,
  MEASURE_SECONDS,
  measureLoad,
  printTable,
  REDIS_URL,
  report,
  runMain,
  startChild,
  watchdog,
  WARMUP_SECONDS,
  CONNECTIONS,
  type Child,
  isMain,
  sleep,
} from './lib/harness';
import { summariseProfiles } from './lib/profile';

export const HOT_READ = `query Hot($id: ID!) {
  player(id: $id) {
    id characterName characterClass level experience experienceToNextLevel
    health maxHealth mana maxMana gold carryWeight carryCapacity
    stats { strength dexterity intelligence constitution wisdom charisma }
    inventory { quantity equipped slot item { id name rarity type weight } }
    quests(status: ACTIVE) {
      id title status progress
      objectives { kind description current required done }
      rewards { experience gold items { quantity item { name rarity } } }
    }
    location { id name region exits { id name } }
  }
}`;

export const APP_ENV = {
  NODE_ENV: 'production',
  HOST: '127.0.0.1',
  PORT: '0',
  LOG_LEVEL: 'warn',
  JWT_SECRET: 'bench-secret-that-is-long-enough-0123456789abcdef',
  MIGRATE_ON_START: 'true',
  REDIS_KEY_PREFIX: `lm-bench-${process.pid}`,
  // Limits stay on (their cost is part of the server) but never refuse the load or the setup.
  RATE_LIMIT_DEFAULT: '1000000000',
  RATE_LIMIT_AUTH: '1000000000',
  RATE_LIMIT_LOGIN_PER_ACCOUNT: '1000000000',
  RATE_LIMIT_GM: '1000000000',
  WS_MAX_CONNECTIONS_PER_USER: '10000',
};

export type Engine = 'pg' | 'pglite';

/** The real server on one engine, with a fresh database; `dispose` removes it again. */
export async function startApp(
  engine: Engine,
  options: { env?: Record<string, string>; execArgv?: string[] } = {},
): Promise<{ server: Child; dispose(): Promise<void> }> {
  const pg = engine === 'pg' ? createPgDatabase('read') : undefined;
  const dataDir = engine === 'pglite' ? mkdtempSync(path.join(tmpdir(), 'lm-bench-')) : undefined;
  const starting = startChild(`loremaster-${engine}`, path.join(__dirname, 'lib/app-process.ts'), {
    env: {
      ...APP_ENV,
      DATABASE_URL: pg?.url ?? '',
      REDIS_URL: pg ? REDIS_URL : '',
      DATA_DIR: dataDir ?? '',
      // For experiments: e.g. BENCH_APP_ENV='{"REDIS_URL":""}' to leave Redis out.
      ...(JSON.parse(process.env.BENCH_APP_ENV ?? '{}') as Record<string, string>),
      ...options.env,
    },
    execArgv: options.execArgv,
    // At LOG_LEVEL=log the server writes a line per request: measured, not shown.
    quiet: process.env.BENCH_SERVER_STDOUT === 'ignore',
    timeoutMs: 90_000,
  });
  // A server that fails to start leaves no database or data folder behind either.
  const server = await starting.catch((error: unknown) => {
    pg?.drop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    throw error;
  });
  return {
    server,
    async dispose() {
      // Requests still queued in the server when a load ends would be aborted by the shutdown
      // (and logged as errors): let them finish first.
      await sleep(2_000);
      await server.stop();
      pg?.drop();
      if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export interface Furnished {
  token: string;
  playerId: string;
  answer: Record<string, unknown>;
}

export async function furnishedPlayer(server: Child): Promise<Furnished> {
  const url = server.info.url as string;
  const account = await register(url);
  const playerId = await createPlayer(url, account);
  await furnish(server, account, playerId);
  const answer = await gql(url, HOT_READ, { id: playerId }, account.token);
  return { token: account.token, playerId, answer };
}

async function main(): Promise<number> {
  const only = process.argv.find((a) => a.startsWith('--only='))?.slice(7) as Engine | undefined;
  const profile = process.argv.includes('--profile');
  const engines: Engine[] = only ? [only] : ['pg', 'pglite'];
  watchdog(60 + engines.length * (120 + 2 * (WARMUP_SECONDS + MEASURE_SECONDS)));
  console.log(`hot-read bench — ${machine()}`);
  console.log(
    `${CONNECTIONS} connections, ${WARMUP_SECONDS} s warmup + ${MEASURE_SECONDS} s measured, servers in child processes (NODE_ENV=production)`,
  );

  const rows: string[][] = [];
  let failed = false;
  for (const engine of engines) {
    const profileDir = profile ? mkdtempSync(path.join(tmpdir(), 'lm-prof-')) : undefined;
    const app = await startApp(engine);
    let real: Load;
    let furnished: Furnished;
    let statements: number;
    try {
      furnished = await furnishedPlayer(app.server);
      const body = JSON.stringify({ query: HOT_READ, variables: { id: furnished.playerId } });
      const expected = JSON.stringify({ data: furnished.answer });
      await app.server.call('statements');
      await gql(
        app.server.info.url as string,
        HOT_READ,
        { id: furnished.playerId },
        furnished.token,
      );
      statements = await app.server.call<number>('statements');
      process.stdout.write(`  ${engine}: real server (${statements} SQL statements per read) ... `);
      if (profileDir) await app.server.call('profileStart');
      real = await measureLoad(
        {
          url: `${app.server.info.url as string}/graphql`,
          body,
          headers: { authorization: `Bearer ${furnished.token}` },
          check: (b) => b.trimEnd() === expected,
        },
        app.server,
      );
      console.log(`${real.reqPerSec.toFixed(0)} req/s`);
      if (profileDir)
        await app.server.call('profileStop', path.join(profileDir, `${engine}.cpuprofile`));
    } finally {
      await app.dispose();
    }
    if (profileDir) {
      console.log(`  profile of the ${engine} server (self time, warmup + measured load):`);
      summariseProfiles(profileDir, 25);
      rmSync(profileDir, { recursive: true, force: true });
    }

    const dataFile = path.join(tmpdir(), `lm-bench-data-${process.pid}.json`);
    writeFileSync(dataFile, JSON.stringify(furnished.answer));
    const bare = await startChild('bare-apollo', path.join(__dirname, 'lib/bare-apollo.ts'), {
      args: [dataFile],
      env: { NODE_ENV: 'production' },
    });
    let base: Load;
    try {
      const expected = JSON.stringify({ data: furnished.answer });
      process.stdout.write(`  ${engine}: bare Apollo, same query from memory ... `);
      base = await measureLoad(
        {
          url: `${bare.info.url as string}/graphql`,
          body: JSON.stringify({ query: HOT_READ, variables: { id: furnished.playerId } }),
          check: (b) => b.trimEnd() === expected,
        },
        bare,
      );
      console.log(`${base.reqPerSec.toFixed(0)} req/s`);
    } finally {
      await bare.stop();
      rmSync(dataFile, { force: true });
    }

    for (const [name, l] of [
      [`loremaster (${engine === 'pg' ? 'PostgreSQL + Redis' : 'PGlite + memory cache'})`, real],
      ['bare Apollo 5, static data', base],
    ] as const) {
      rows.push([
        name,
        l.reqPerSec.toFixed(0),
        String(l.p50),
        String(l.p99),
        `${(l.serverCpu * 100).toFixed(0)}%`,
        String(l.failures),
      ]);
      if (l.failures > 0) failed = true;
    }
    report({
      scenario: 'hot read',
      figure: engine === 'pg' ? 'PostgreSQL + Redis' : 'PGlite',
      value: real.reqPerSec,
      baseline: base.reqPerSec,
      ratio: real.reqPerSec / base.reqPerSec,
      target: '>= 0.5x',
      met: real.reqPerSec / base.reqPerSec >= 0.5,
      unit: 'req/s',
    });
    console.log(
      `  (${statements} SQL statements per read; p99 ${fmt(real.p99)} vs ${fmt(base.p99)} ms)`,
    );
  }
  console.log('');
  printTable(['target', 'req/s', 'p50 ms', 'p99 ms', 'server CPU', 'failed'], rows);
  return failed ? 1 : 0;
}

if (isMain(__filename)) runMain(main);
