// What every scenario shares: child processes driven over IPC, the load generator, the
// final "figure vs baseline" lines that bench/run.ts collects, and a watchdog.
import { execFileSync, fork, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import * as os from 'node:os';
import * as path from 'node:path';
import autocannon from 'autocannon';

export const HOST = '127.0.0.1';
export const ROOT = path.join(__dirname, '..', '..');
export const RUN_TS = path.join(ROOT, 'scripts', 'run-ts.js');

export function positiveInt(name: string, fallback: number): number {
  // Benchmarks are dev tooling outside src/, so they read their own knobs.
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${name} must be a positive integer`);
  return n;
}

/** Measured seconds per load; warmup is separate. `BENCH_SECONDS` shortens or lengthens a run. */
export const MEASURE_SECONDS = positiveInt('BENCH_SECONDS', 8);
export const WARMUP_SECONDS = positiveInt('BENCH_WARMUP_SECONDS', 2);
export const CONNECTIONS = positiveInt('BENCH_CONNECTIONS', 50);

// ---------------------------------------------------------------------------------------------
// Child processes: the orchestrator asks, the child answers, matched by id.

interface RpcRequest {
  rpc: number;
  method: string;
  args: unknown[];
}
interface RpcReply {
  rpc: number;
  ok: boolean;
  value?: unknown;
  error?: string;
}
interface Ready {
  ready: true;
  info: Record<string, unknown>;
}

export interface Child<Info = Record<string, unknown>> {
  name: string;
  pid: number;
  info: Info;
  call<T = unknown>(method: string, ...args: unknown[]): Promise<T>;
  stop(): Promise<void>;
}

const children = new Set<ChildProcess>();

export function killChildren(): void {
  for (const c of children) c.kill('SIGKILL');
}

/**
 * Forks `script` (TypeScript, through run-ts) and waits for its `ready` message.
 * `execArgv` lets a run add `--cpu-prof` to the server under test.
 */
export function startChild<Info = Record<string, unknown>>(
  name: string,
  script: string,
  options: {
    args?: string[];
    env?: Record<string, string | undefined>;
    execArgv?: string[];
    timeoutMs?: number;
    /** Drop the child's stdout (e.g. a server logging every request at LOG_LEVEL=log). */
    quiet?: boolean;
  } = {},
): Promise<Child<Info>> {
  const child = fork(RUN_TS, [script, ...(options.args ?? [])], {
    env: { ...process.env, ...options.env } as NodeJS.ProcessEnv,
    execArgv: options.execArgv ?? [],
    stdio: ['ignore', options.quiet ? 'ignore' : 'inherit', 'inherit', 'ipc'],
  });
  children.add(child);
  let seq = 0;
  const pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  child.on('message', (m: RpcReply | Ready) => {
    if ('rpc' in m) {
      const p = pending.get(m.rpc);
      pending.delete(m.rpc);
      if (m.ok) p?.resolve(m.value);
      else p?.reject(new Error(`${name}: ${m.error}`));
    }
  });
  child.on('exit', (code, signal) => {
    children.delete(child);
    for (const p of pending.values()) p.reject(new Error(`${name} exited (${code ?? signal})`));
    pending.clear();
  });

  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${name} was not ready within ${(options.timeoutMs ?? 60_000) / 1000} s`));
    }, options.timeoutMs ?? 60_000);
    const onEarlyExit = (code: number | null) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited (code ${code}) before it was ready`));
    };
    child.once('exit', onEarlyExit);
    child.on('message', (m: RpcReply | Ready) => {
      if (!('ready' in m)) return;
      clearTimeout(timer);
      child.off('exit', onEarlyExit);
      resolve({
        name,
        pid: child.pid!,
        info: m.info as Info,
        call: <T>(method: string, ...args: unknown[]) =>
          new Promise<T>((res, rej) => {
            const id = ++seq;
            pending.set(id, { resolve: res as (v: unknown) => void, reject: rej });
            if (!child.send({ rpc: id, method, args } satisfies RpcRequest))
              rej(new Error(`${name}: IPC closed`));
          }),
        stop: () =>
          new Promise<void>((done) => {
            if (child.exitCode !== null || child.signalCode !== null) return done();
            const kill = setTimeout(() => child.kill('SIGKILL'), 15_000);
            child.once('exit', () => {
              clearTimeout(kill);
              done();
            });
            child.kill('SIGTERM');
          }),
      });
    });
  });
}

type Handler = (...args: never[]) => unknown;

let profiler: Session | undefined;
const post = (session: Session, method: string, params?: object) =>
  new Promise<unknown>((resolve, reject) =>
    session.post(method, params ?? {}, (err, result) => (err ? reject(err) : resolve(result))),
  );

/**
 * Child side: announce readiness and answer the orchestrator's calls. `cpu` and `memory` are
 * always there; SIGTERM runs `close` and exits 0 (so `--cpu-prof` writes its profile).
 */
export function serveChild(
  info: Record<string, unknown>,
  handlers: Record<string, Handler>,
  close: () => Promise<void> = async () => {},
): void {
  const all: Record<string, Handler> = {
    cpu: () => {
      const u = process.cpuUsage();
      return u.user + u.system;
    },
    // CPU profile of a window (e.g. only the measured load), written where asked.
    profileStart: async () => {
      const session = (profiler ??= new Session());
      session.connect();
      await post(session, 'Profiler.enable');
      await post(session, 'Profiler.setSamplingInterval', { interval: 200 });
      await post(session, 'Profiler.start');
    },
    profileStop: async (file: string) => {
      const { profile } = (await post(profiler!, 'Profiler.stop')) as { profile: unknown };
      profiler!.disconnect();
      profiler = undefined;
      writeFileSync(file, JSON.stringify(profile));
      return file;
    },
    memory: () => {
      global.gc?.();
      return { ...process.memoryUsage() };
    },
    ...handlers,
  };
  process.on('message', (m: RpcRequest) => {
    if (typeof m !== 'object' || m === null || !('rpc' in m)) return;
    Promise.resolve()
      .then(() => all[m.method](...(m.args as never[])))
      .then(
        (value) => process.send!({ rpc: m.rpc, ok: true, value } satisfies RpcReply),
        (error: unknown) =>
          process.send!({
            rpc: m.rpc,
            ok: false,
            error: error instanceof Error ? (error.stack ?? error.message) : String(error),
          } satisfies RpcReply),
      );
  });
  let closing = false;
  process.on('SIGTERM', () => {
    if (closing) return;
    closing = true;
    const force = setTimeout(() => process.exit(1), 10_000);
    close().then(
      () => {
        clearTimeout(force);
        process.exit(0);
      },
      () => process.exit(1),
    );
  });
  // The orchestrator died: do not linger.
  process.on('disconnect', () => process.exit(0));
  process.send!({ ready: true, info } satisfies Ready);
}

// ---------------------------------------------------------------------------------------------
// Load.

export interface Load {
  reqPerSec: number;
  p50: number;
  p99: number;
  total: number;
  failures: number;
  serverCpu: number;
}

export interface LoadSpec {
  url: string;
  /** The same body for every connection ... */
  body?: string;
  headers?: Record<string, string>;
  /** ... or each connection's own body and headers (called once per connection per run). */
  perClient?: () => { body: string; headers?: Record<string, string> };
  connections?: number;
  /** A falsy answer counts the response as failed (GraphQL errors come back as 200). */
  check?: (body: string) => boolean;
}

/** Warmup, then the measured window, with the server's CPU share over it. */
export async function measureLoad(
  spec: LoadSpec,
  server?: { call<T>(m: string): Promise<T> },
): Promise<Load> {
  const run = (seconds: number) =>
    autocannon({
      url: spec.url,
      method: 'POST',
      headers: { 'content-type': 'application/json', ...spec.headers },
      body: spec.body,
      connections: spec.connections ?? CONNECTIONS,
      duration: seconds,
      setupClient: spec.perClient
        ? ((make) => (client: autocannon.Client) => {
            const c = make();
            client.setHeaders({
              'content-type': 'application/json',
              ...spec.headers,
              ...c.headers,
            });
            client.setBody(c.body);
          })(spec.perClient)
        : undefined,
      // GraphQL errors come back with status 200: every answer is checked.
      verifyBody: spec.check,
    });
  await run(WARMUP_SECONDS);
  // Requests the warmup left queued in the server would otherwise eat into the measured window.
  if (server) await drained(server);
  const cpu0 = server ? await server.call<number>('cpu') : 0;
  const t0 = process.hrtime.bigint();
  const result = await run(MEASURE_SECONDS);
  const wall = Number(process.hrtime.bigint() - t0) / 1000;
  const cpu1 = server ? await server.call<number>('cpu') : 0;
  return {
    reqPerSec: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    total: result.requests.total,
    failures: result.errors + result.timeouts + result.non2xx + (result.mismatches ?? 0),
    serverCpu: server ? (cpu1 - cpu0) / wall : 0,
  };
}

/** Waits (at most 15 s) until the server spends under a fifth of a core over 300 ms. */
async function drained(server: { call<T>(m: string): Promise<T> }): Promise<void> {
  const end = Date.now() + 15_000;
  while (Date.now() < end) {
    const before = await server.call<number>('cpu');
    await sleep(300);
    if ((await server.call<number>('cpu')) - before < 0.2 * 300_000) return;
  }
}

// ---------------------------------------------------------------------------------------------
// Reporting: human lines, plus one machine line per ratio for bench/run.ts.

export interface Ratio {
  scenario: string;
  figure: string;
  value: number;
  baseline: number;
  ratio: number;
  target: string;
  met?: boolean;
  unit: string;
}

export function report(r: Ratio): void {
  const verdict = r.met === undefined ? 'no target' : r.met ? 'MET' : 'NOT MET';
  console.log(
    `  => ${r.scenario} / ${r.figure}: ${fmt(r.value)} ${r.unit} vs baseline ${fmt(r.baseline)} ${r.unit} ` +
      `= ${r.ratio.toFixed(2)}x (target ${r.target}: ${verdict})`,
  );
  console.log(`BENCH_RESULT ${JSON.stringify(r)}`);
}

export function fmt(n: number): string {
  return Math.abs(n) >= 100 ? n.toFixed(0) : Math.abs(n) >= 10 ? n.toFixed(1) : n.toFixed(2);
}

export function machine(): string {
  return (
    `${new Date().toISOString()} — Node ${process.version}, ${os.cpus().length} CPU(s) ` +
    `${os.cpus()[0]?.model ?? ''}, load avg ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`
  );
}

export function printTable(header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(' | ')} |`;
  console.log(line(header));
  console.log(
    `|${widths.map((w, i) => (i === 0 ? `:${'-'.repeat(w + 1)}` : `${'-'.repeat(w + 1)}:`)).join('|')}|`,
  );
  for (const r of rows) console.log(line(r));
}

/** Ends the whole run if it overstays; the timer never keeps the process alive itself. */
export function watchdog(seconds: number): void {
  setTimeout(() => {
    console.error(`bench: over its ${seconds} s budget, giving up`);
    killChildren();
    process.exit(1);
  }, seconds * 1000).unref();
  process.once('SIGINT', () => {
    killChildren();
    process.exit(130);
  });
}

/** Whether this file is the script run-ts was asked to run (not imported by another bench). */
export function isMain(filename: string): boolean {
  return process.argv[1] !== undefined && path.resolve(process.argv[1]) === filename;
}

export function runMain(main: () => Promise<number | void>): void {
  main().then(
    (code) => {
      process.exitCode = code ?? 0;
    },
    (error: unknown) => {
      console.error(error);
      killChildren();
      process.exit(1);
    },
  );
}

// ---------------------------------------------------------------------------------------------
// Databases.

export const PG_ADMIN_URL =
  process.env.BENCH_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
export const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A fresh database on the machine's PostgreSQL, dropped by the returned function. */
export function createPgDatabase(label: string): { url: string; drop(): void } {
  const name = `loremaster_bench_${label}_${process.pid}_${Date.now()}`;
  execFileSync('psql', [PG_ADMIN_URL, '-v', 'ON_ERROR_STOP=1', '-qc', `create database "${name}"`]);
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: () => {
      try {
        execFileSync('psql', [
          PG_ADMIN_URL,
          '-qc',
          `drop database if exists "${name}" with (force)`,
        ]);
      } catch {
        // Best effort: a leftover bench database harms nothing.
      }
    },
  };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function cpuModel(): string {
  return os.cpus()[0]?.model ?? 'unknown';
}
