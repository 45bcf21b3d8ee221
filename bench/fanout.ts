// Scenario 4: subscription fan-out. BENCH_SUBSCRIBERS (5,000) graphql-ws connections, each with
// one `gameEvents` subscription to the same character, held by two client processes; one
// `useItem` mutation then records one event, and every subscriber must receive it. Server:
// PostgreSQL + Redis (events travel through Redis PubSub, as with several instances).
// Baseline, same run: a bare `ws` server (bench/lib/bare-ws.ts) broadcasting one message of the
// same size to as many sockets held by the same client processes.
//
// Latency of a round: each client's receive time (an absolute clock shared by the processes)
// minus the moment of publication: for the real server the arrival of the mutation's response
// (EventsService publishes after commit and before answering, so the write itself is left out;
// early deliveries count as 0), for the bare server the moment the broadcast request was sent.
// Three rounds each, pooled. Memory per subscription: the server's RSS and heap after a GC,
// with every subscription open, minus before the clients connected, divided by their number.
// Targets: p99 ≤ 100 ms and ≤ 2× the bare broadcast's p99.
//
//   node scripts/run-ts.js bench/fanout.ts [--profile]   (BENCH_SUBSCRIBERS=5000)
// --profile: where the server's time goes while the subscriptions open.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { summariseProfiles } from './lib/profile';
import { startApp } from './hot-read';
import { createPlayer, register, setStack } from './lib/game';
import {
  type Child,
  fmt,
  HOST,
  isMain,
  machine,
  positiveInt,
  printTable,
  report,
  runMain,
  sleep,
  startChild,
  watchdog,
} from './lib/harness';

const SUBSCRIBERS = positiveInt('BENCH_SUBSCRIBERS', 5000);
const CLIENT_PROCESSES = 2;
const ROUNDS = 3;
const now = () => performance.timeOrigin + performance.now();

const SUBSCRIPTION =
  'subscription Events($p: ID!) { gameEvents(playerId: $p) { id type name createdAt data } }';
const USE_ITEM = 'mutation Use($p: ID!, $i: ID!) { useItem(playerId: $p, itemId: $i) { id } }';

interface Memory {
  rss: number;
  heapUsed: number;
}

interface Outcome {
  latencies: number[];
  missing: number;
  perSubscriptionRss: number;
  perSubscriptionHeap: number;
  triggerMs: number[];
}

async function startClients(options: Record<string, unknown>): Promise<Child[]> {
  const per = Math.ceil(SUBSCRIBERS / CLIENT_PROCESSES);
  return Promise.all(
    Array.from({ length: CLIENT_PROCESSES }, (_, k) =>
      startChild(`ws-clients-${k}`, path.join(__dirname, 'lib/ws-clients.ts'), {
        args: [JSON.stringify({ ...options, count: Math.min(per, SUBSCRIBERS - k * per) })],
        timeoutMs: 180_000,
      }),
    ),
  );
}

async function waitUntil(what: string, done: () => Promise<boolean>, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!(await done())) {
    if (Date.now() > end) throw new Error(`fan-out: ${what} within ${ms / 1000} s`);
    await sleep(100);
  }
}

const sum = async (clients: Child[], method: string) =>
  (await Promise.all(clients.map((c) => c.call<Record<string, number>>(method)))).reduce(
    (acc, s) => {
      for (const [k, v] of Object.entries(s)) acc[k] = (acc[k] ?? 0) + v;
      return acc;
    },
    {} as Record<string, number>,
  );

/** Rounds of: mark, trigger, wait for everyone (or 10 s), collect latencies. */
async function rounds(
  clients: Child[],
  trigger: () => Promise<{ publishedAt: number; tookMs: number }>,
): Promise<Pick<Outcome, 'latencies' | 'missing' | 'triggerMs'>> {
  const latencies: number[] = [];
  const triggerMs: number[] = [];
  let missing = 0;
  for (let r = 0; r < ROUNDS; r++) {
    await Promise.all(clients.map((c) => c.call('mark')));
    const { publishedAt, tookMs } = await trigger();
    triggerMs.push(tookMs);
    let stamps: number[] = [];
    const end = Date.now() + 10_000;
    while (Date.now() < end) {
      stamps = (await Promise.all(clients.map((c) => c.call<number[]>('since')))).flat();
      if (stamps.length >= SUBSCRIBERS) break;
      await sleep(50);
    }
    missing += SUBSCRIBERS - stamps.length;
    for (const s of stamps) latencies.push(Math.max(0, s - publishedAt));
    await sleep(500);
  }
  return { latencies, missing, triggerMs };
}

async function realServer(): Promise<Outcome> {
  const app = await startApp('pg', {
    execArgv: ['--expose-gc'],
    env: {
      WS_MAX_CONNECTIONS_PER_USER: String(SUBSCRIBERS * 2),
      WS_CONNECTION_INIT_TIMEOUT_MS: '60000',
      LOG_LEVEL: 'error',
    },
  });
  let clients: Child[] = [];
  try {
    const url = app.server.info.url as string;
    const account = await register(url);
    const playerId = await createPlayer(url, account);
    const itemId = await setStack(app.server, playerId, 'Health Potion', 9999);
    const before = await app.server.call<Memory>('memory');
    const profile = process.argv.includes('--profile');
    if (profile) await app.server.call('profileStart');
    process.stdout.write(`  graphql-ws: opening ${SUBSCRIBERS} subscriptions ... `);
    const t = Date.now();
    clients = await startClients({
      url: `${url.replace(/^http/, 'ws')}/graphql`,
      mode: 'graphql',
      token: account.token,
      query: SUBSCRIPTION,
      variables: { p: playerId },
    });
    const use = async () => {
      const sent = now();
      const res = await fetch(`${url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${account.token}` },
        body: JSON.stringify({ query: USE_ITEM, variables: { p: playerId, i: itemId } }),
      });
      const text = await res.text();
      if (text.includes('"errors"')) throw new Error(`useItem failed: ${text}`);
      const at = now();
      return { publishedAt: at, tookMs: at - sent };
    };
    // Subscriptions start once the server has checked each one: events until all have one.
    await waitUntil(
      `every subscription active`,
      async () => {
        await use();
        await sleep(1_000);
        const s = await sum(clients, 'status');
        return s.anyMessage >= SUBSCRIBERS;
      },
      120_000,
    );
    console.log(`${((Date.now() - t) / 1000).toFixed(1)} s`);
    if (profile) {
      const dir = mkdtempSync(path.join(tmpdir(), 'lm-prof-'));
      await app.server.call('profileStop', path.join(dir, 'open.cpuprofile'));
      console.log('  profile of the server while the subscriptions open:');
      summariseProfiles(dir, 30);
      rmSync(dir, { recursive: true, force: true });
    }
    const after = await app.server.call<Memory>('memory');
    const result = await rounds(clients, use);
    return {
      ...result,
      perSubscriptionRss: (after.rss - before.rss) / SUBSCRIBERS,
      perSubscriptionHeap: (after.heapUsed - before.heapUsed) / SUBSCRIBERS,
    };
  } finally {
    await Promise.all(clients.map((c) => c.stop()));
    await app.dispose();
  }
}

async function bareServer(messageBytes: number): Promise<Outcome> {
  const server = await startChild('bare-ws', path.join(__dirname, 'lib/bare-ws.ts'), {
    args: [String(messageBytes)],
    execArgv: ['--expose-gc'],
  });
  let clients: Child[] = [];
  try {
    const before = await server.call<Memory>('memory');
    clients = await startClients({ url: server.info.ws as string, mode: 'bare' });
    await waitUntil(
      'every bare socket open',
      async () => (await sum(clients, 'status')).open >= SUBSCRIBERS,
      60_000,
    );
    const after = await server.call<Memory>('memory');
    const broadcast = async () => {
      const sent = now();
      await (await fetch(`${server.info.url as string}/broadcast`, { method: 'POST' })).text();
      return { publishedAt: sent, tookMs: now() - sent };
    };
    const result = await rounds(clients, broadcast);
    return {
      ...result,
      perSubscriptionRss: (after.rss - before.rss) / SUBSCRIBERS,
      perSubscriptionHeap: (after.heapUsed - before.heapUsed) / SUBSCRIBERS,
    };
  } finally {
    await Promise.all(clients.map((c) => c.stop()));
    await server.stop();
  }
}

function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

async function main(): Promise<number> {
  watchdog(420);
  console.log(`fan-out bench — ${machine()}`);
  console.log(
    `${SUBSCRIBERS} subscribers in ${CLIENT_PROCESSES} client processes, ${ROUNDS} rounds, server on ${HOST}`,
  );
  const real = await realServer();
  // A graphql-ws `next` message of this event is about this long.
  const bare = await bareServer(260);
  const rows = (
    [
      ['loremaster gameEvents (PostgreSQL + Redis PubSub)', real],
      ['bare ws broadcast', bare],
    ] as const
  ).map(([name, o]) => [
    name,
    fmt(percentile(o.latencies, 50)),
    fmt(percentile(o.latencies, 99)),
    fmt(Math.max(...o.latencies)),
    String(o.missing),
    `${(o.perSubscriptionRss / 1024).toFixed(1)}`,
    `${(o.perSubscriptionHeap / 1024).toFixed(1)}`,
    o.triggerMs.map((m) => m.toFixed(0)).join('/'),
  ]);
  console.log('');
  printTable(
    ['target', 'p50 ms', 'p99 ms', 'max ms', 'missed', 'RSS KiB/sub', 'heap KiB/sub', 'trigger ms'],
    rows,
  );
  const p99 = percentile(real.latencies, 99);
  const bareP99 = percentile(bare.latencies, 99);
  report({
    scenario: 'fan-out 5k',
    figure: 'p99 delivery latency',
    value: p99,
    baseline: bareP99,
    ratio: p99 / bareP99,
    target: '<= 100 ms and <= 2x',
    met: p99 <= 100 && p99 / bareP99 <= 2,
    unit: 'ms',
  });
  report({
    scenario: 'fan-out 5k',
    figure: 'p50 delivery latency',
    value: percentile(real.latencies, 50),
    baseline: percentile(bare.latencies, 50),
    ratio: percentile(real.latencies, 50) / percentile(bare.latencies, 50),
    target: 'none',
    unit: 'ms',
  });
  report({
    scenario: 'fan-out 5k',
    figure: 'RSS per subscription',
    value: real.perSubscriptionRss / 1024,
    baseline: bare.perSubscriptionRss / 1024,
    ratio: real.perSubscriptionRss / bare.perSubscriptionRss,
    target: 'none',
    unit: 'KiB',
  });
  return real.missing > 0 || bare.missing > 0 ? 1 : 0;
}

if (isMain(__filename)) runMain(main);
