// Express or Fastify under Nest 11 + Apollo Server 5? This measures it, in one run, on loopback.
//
//   node scripts/run-ts.js bench/http-adapter.ts          (BENCH_SECONDS=8 by default)
//
// Targets, each in its own child process so the load generator (autocannon, in this process) and
// the server under test never share an event loop:
//   node:http     a bare node:http server answering a fixed, pre-serialised JSON body (the ceiling)
//   nest-express  Nest + @nestjs/apollo, code-first, on the default Express adapter
//   nest-fastify  the same module on `new FastifyAdapter()`
// Scenarios, POSTed as application/json by 50 connections:
//   hello  {"query":"{ hello }"}                      -> hello: String! returning 'world'
//   list   {"query":"{ characters { id name level } }"} -> 50 small objects, so the cost of
//          executing and serialising a list is in the measure too
// Per target: one request checked by hand, 2 s of warmup, then the measured window. Loads run one
// after another, never two at once. Every server listens on 127.0.0.1 port 0 and is closed at the
// end; a watchdog ends the whole run if it overstays its time budget.
import 'reflect-metadata';
import { fork, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import autocannon from 'autocannon';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ApolloDriver, type ApolloDriverConfig } from '@nestjs/apollo';
import { Field, GraphQLModule, Int, ObjectType, Query, Resolver } from '@nestjs/graphql';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';

const HOST = '127.0.0.1';
const CONNECTIONS = 50;
const WARMUP_SECONDS = 2;
const MEASURE_SECONDS = positiveInt(process.env.BENCH_SECONDS, 8);
const LIST_SIZE = 50;

const TARGETS = ['node:http', 'nest-express', 'nest-fastify'] as const;
type Target = (typeof TARGETS)[number];
const SCENARIOS = ['hello', 'list'] as const;
type Scenario = (typeof SCENARIOS)[number];

const QUERIES: Record<Scenario, string> = {
  hello: '{ hello }',
  list: '{ characters { id name level } }',
};

function positiveInt(raw: string | undefined, fallback: number): number {
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0)
    throw new Error(`BENCH_SECONDS must be a positive integer, got ${raw}`);
  return n;
}

// ---------------------------------------------------------------------------------------------
// The Nest application under test (identical for both adapters).

@ObjectType()
class Character {
  @Field(() => Int) id!: number;
  @Field() name!: string;
  @Field(() => Int) level!: number;
}

function makeCharacters(): Character[] {
  return Array.from({ length: LIST_SIZE }, (_, i) => ({
    id: i + 1,
    name: `Character ${i + 1}`,
    level: (i % 20) + 1,
  }));
}

@Resolver()
class HelloResolver {
  @Query(() => String)
  hello(): string {
    return 'world';
  }
}

@Resolver(() => Character)
class CharactersResolver {
  @Query(() => [Character])
  characters(): Character[] {
    return makeCharacters();
  }
}

@Module({
  imports: [
    GraphQLModule.forRoot<ApolloDriverConfig>({
      driver: ApolloDriver,
      autoSchemaFile: true,
      playground: false,
    }),
  ],
  providers: [HelloResolver, CharactersResolver],
})
class BenchAppModule {}

/** What the GraphQL server answers, byte for byte: the node:http baseline sends exactly this. */
function expectedBody(scenario: Scenario): string {
  return scenario === 'hello'
    ? JSON.stringify({ data: { hello: 'world' } })
    : JSON.stringify({ data: { characters: makeCharacters() } });
}

// ---------------------------------------------------------------------------------------------
// Child process side: start one target, report its port, answer CPU-usage probes, stop on demand.

type ToChild = { type: 'cpu' } | { type: 'stop' };
type ToParent = { type: 'ready'; port: number } | { type: 'cpu'; micros: number };

async function serve(target: Target, scenario: Scenario): Promise<void> {
  let port: number;
  let close: () => Promise<void>;

  if (target === 'node:http') {
    const body = Buffer.from(expectedBody(scenario));
    const server = createServer((req, res) => {
      // Read the request body like the real servers must, then answer the fixed JSON.
      req.resume();
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length });
        res.end(body);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, HOST, resolve));
    port = (server.address() as AddressInfo).port;
    close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  } else if (target === 'nest-express') {
    const app = await NestFactory.create(BenchAppModule, { logger: false, abortOnError: false });
    await app.listen(0, HOST);
    port = (app.getHttpServer().address() as AddressInfo).port;
    close = () => app.close();
  } else {
    const app = await NestFactory.create<NestFastifyApplication>(
      BenchAppModule,
      new FastifyAdapter(),
      { logger: false, abortOnError: false },
    );
    await app.listen(0, HOST);
    port = (app.getHttpServer().address() as AddressInfo).port;
    close = () => app.close();
  }

  const send = (msg: ToParent) => process.send?.(msg);
  process.on('message', async (msg: ToChild) => {
    if (msg.type === 'cpu') {
      const { user, system } = process.cpuUsage();
      send({ type: 'cpu', micros: user + system });
    } else {
      // Never hang on a lingering connection: close, but leave after 5 s whatever happens.
      setTimeout(() => process.exit(0), 5_000).unref();
      await close();
      process.exit(0);
    }
  });
  // If the orchestrator dies, so do we.
  process.on('disconnect', () => process.exit(0));
  send({ type: 'ready', port });
}

// ---------------------------------------------------------------------------------------------
// Orchestrator side: load generator, sequencing, report.

const children = new Set<ChildProcess>();

interface Running {
  url: string;
  cpuMicros(): Promise<number>;
  stop(): Promise<void>;
}

function startTarget(target: Target, scenario: Scenario): Promise<Running> {
  const child = fork(path.join(__dirname, 'run.js'), [__filename, '--serve', target, scenario], {
    env: { ...process.env, NODE_ENV: 'production' },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  children.add(child);
  child.on('exit', () => children.delete(child));

  const request = <T extends ToParent['type']>(msg: ToChild, reply: T) =>
    new Promise<Extract<ToParent, { type: T }>>((resolve, reject) => {
      const onMessage = (m: ToParent) => {
        if (m.type !== reply) return;
        child.off('message', onMessage);
        resolve(m as Extract<ToParent, { type: T }>);
      };
      child.on('message', onMessage);
      if (!child.send(msg)) reject(new Error(`${target}: IPC channel closed`));
    });

  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${target} did not start within 30 s`));
    }, 30_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${target} exited (code ${code}) before it was ready`));
    });
    child.on('message', (m: ToParent) => {
      if (m.type !== 'ready') return;
      clearTimeout(timer);
      resolve({
        url: `http://${HOST}:${m.port}/graphql`,
        cpuMicros: async () => (await request({ type: 'cpu' }, 'cpu')).micros,
        stop: () =>
          new Promise<void>((done) => {
            if (child.exitCode !== null || child.signalCode !== null) return done();
            const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
            child.once('exit', () => {
              clearTimeout(kill);
              done();
            });
            child.send({ type: 'stop' } satisfies ToChild);
          }),
      });
    });
  });
}

/** One request by hand: the load must measure correct answers, not fast errors. */
async function checkAnswer(target: Target, scenario: Scenario, url: string): Promise<void> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: QUERIES[scenario] }),
  });
  const text = await res.text();
  if (res.status !== 200 || JSON.stringify(JSON.parse(text)) !== expectedBody(scenario)) {
    throw new Error(`${target}/${scenario}: unexpected answer ${res.status} ${text.slice(0, 200)}`);
  }
}

function load(url: string, scenario: Scenario, seconds: number): Promise<autocannon.Result> {
  return autocannon({
    url,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: QUERIES[scenario] }),
    connections: CONNECTIONS,
    duration: seconds,
  });
}

interface Row {
  scenario: Scenario;
  target: Target;
  reqPerSec: number;
  p50: number;
  p99: number;
  bytesPerResponse: number;
  serverCpu: number;
  loaderCpu: number;
  failures: number;
}

async function measure(target: Target, scenario: Scenario): Promise<Row> {
  const server = await startTarget(target, scenario);
  try {
    await checkAnswer(target, scenario, server.url);
    await load(server.url, scenario, WARMUP_SECONDS);

    const srv0 = await server.cpuMicros();
    const gen0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    const r = await load(server.url, scenario, MEASURE_SECONDS);
    const wallMicros = Number(process.hrtime.bigint() - t0) / 1_000;
    const gen = process.cpuUsage(gen0);
    const srv1 = await server.cpuMicros();

    return {
      scenario,
      target,
      reqPerSec: r.requests.average,
      p50: r.latency.p50,
      p99: r.latency.p99,
      bytesPerResponse: r.requests.total > 0 ? r.throughput.total / r.requests.total : 0,
      serverCpu: (srv1 - srv0) / wallMicros,
      loaderCpu: (gen.user + gen.system) / wallMicros,
      failures: r.errors + r.timeouts + r.non2xx,
    };
  } finally {
    await server.stop();
  }
}

function printTable(rows: Row[]): void {
  const header = [
    'scenario',
    'target',
    'req/s',
    'p50 ms',
    'p99 ms',
    'vs node:http',
    'server CPU',
    'autocannon CPU',
    'B/resp',
    'failed',
  ];
  const lines = rows.map((row) => {
    const base = rows.find((b) => b.scenario === row.scenario && b.target === 'node:http');
    return [
      row.scenario,
      row.target,
      row.reqPerSec.toFixed(0),
      row.p50.toFixed(0),
      row.p99.toFixed(0),
      base ? `${((row.reqPerSec / base.reqPerSec) * 100).toFixed(1)}%` : '-',
      `${(row.serverCpu * 100).toFixed(0)}%`,
      `${(row.loaderCpu * 100).toFixed(0)}%`,
      row.bytesPerResponse.toFixed(0),
      String(row.failures),
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const fmt = (cells: string[]) =>
    `| ${cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(' | ')} |`;
  console.log(fmt(header));
  console.log(
    `|${widths.map((w, i) => (i < 2 ? `:${'-'.repeat(w + 1)}` : `${'-'.repeat(w + 1)}:`)).join('|')}|`,
  );
  for (const l of lines) console.log(fmt(l));
}

function verdict(rows: Row[]): string {
  const parts = SCENARIOS.map((scenario) => {
    const ex = rows.find((r) => r.scenario === scenario && r.target === 'nest-express')!;
    const fa = rows.find((r) => r.scenario === scenario && r.target === 'nest-fastify')!;
    const [win, lose] = fa.reqPerSec >= ex.reqPerSec ? [fa, ex] : [ex, fa];
    const pct = ((win.reqPerSec / lose.reqPerSec - 1) * 100).toFixed(1);
    return `${scenario}: ${win.target} by +${pct}% req/s (${win.reqPerSec.toFixed(0)} vs ${lose.reqPerSec.toFixed(0)}; p99 ${win.p99.toFixed(0)} vs ${lose.p99.toFixed(0)} ms)`;
  });
  return `Winner — ${parts.join('; ')}`;
}

async function main(): Promise<number> {
  // Budget per measurement: warmup + window + 8 s for start/check/stop (a run needs ~2 s of it);
  // 118 s in all with the defaults. The watchdog timer never keeps the process alive by itself.
  const budgetMs =
    (SCENARIOS.length * TARGETS.length * (WARMUP_SECONDS + MEASURE_SECONDS + 8) + 10) * 1_000;
  setTimeout(() => {
    console.error(`bench: over the ${budgetMs / 1_000} s budget, giving up`);
    for (const c of children) c.kill('SIGKILL');
    process.exit(1);
  }, budgetMs).unref();
  process.once('SIGINT', () => {
    for (const c of children) c.kill('SIGKILL');
    process.exit(130);
  });

  console.log(
    `http-adapter bench — ${new Date().toISOString()} — Node ${process.version}, ${os.cpus().length} CPU(s), ` +
      `load avg ${os
        .loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}`,
  );
  console.log(
    `${CONNECTIONS} connections, ${WARMUP_SECONDS} s warmup + ${MEASURE_SECONDS} s measured per target, ` +
      `one load at a time, servers on ${HOST} in child processes (NODE_ENV=production)`,
  );

  const rows: Row[] = [];
  for (const scenario of SCENARIOS) {
    // Alternate which adapter goes first, so neither always inherits the other's aftermath.
    const order: Target[] =
      scenario === 'hello'
        ? ['node:http', 'nest-express', 'nest-fastify']
        : ['node:http', 'nest-fastify', 'nest-express'];
    for (const target of order) {
      process.stdout.write(`  ${scenario} / ${target} ... `);
      const row = await measure(target, scenario);
      console.log(`${row.reqPerSec.toFixed(0)} req/s`);
      rows.push(row);
    }
  }
  rows.sort(
    (a, b) =>
      SCENARIOS.indexOf(a.scenario) - SCENARIOS.indexOf(b.scenario) ||
      TARGETS.indexOf(a.target) - TARGETS.indexOf(b.target),
  );

  console.log('');
  printTable(rows);
  console.log('');
  console.log(verdict(rows));
  console.log(
    `load avg at the end: ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );

  const failed = rows.filter((r) => r.failures > 0);
  if (failed.length > 0) {
    console.error(
      `bench: ${failed.map((r) => `${r.scenario}/${r.target}`).join(', ')} had failed requests`,
    );
    return 1;
  }
  return 0;
}

if (process.argv[2] === '--serve') {
  serve(process.argv[3] as Target, process.argv[4] as Scenario).catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
} else {
  main().then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      console.error(err);
      for (const c of children) c.kill('SIGKILL');
      process.exit(1);
    },
  );
}
