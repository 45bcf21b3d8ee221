// Scenario 5: start-up time and idle memory of the real server on the embedded defaults:
//   npm run build && node scripts/run-ts.js bench/startup.ts [restarts=5]
// First start runs initdb on an empty DATA_DIR; each restart reopens the same folder.
// The figure is the server's own "listening … ms after launch" line (process uptime when
// the port is open), so it includes Node's start, module loading, PGlite and Nest. Idle RSS is
// read from /proc 1.5 s after that line, peak RSS (VmHWM) just before stopping.
// Baselines, same run, same measure: a bare node process that requires nothing and opens an
// HTTP port, and a bare Apollo Server 5 standalone built from schema.gql (no Nest, no database).
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isMain, machine, printTable, report, ROOT, runMain, sleep } from './lib/harness';

const ENTRY = join(ROOT, 'dist', 'src', 'main.js');
const LISTENING = /listening on \S+ (\d+) ms after launch/;

const BARE_NODE = `require('node:http').createServer((q, s) => s.end()).listen(0, '127.0.0.1', () =>
  console.log('listening on 127.0.0.1 ' + Math.round(process.uptime() * 1000) + ' ms after launch'));`;

const BARE_APOLLO = `const { ApolloServer } = require('@apollo/server');
const { startStandaloneServer } = require('@apollo/server/standalone');
const typeDefs = require('node:fs').readFileSync(${JSON.stringify(join(ROOT, 'schema.gql'))}, 'utf8');
startStandaloneServer(new ApolloServer({ typeDefs }), { listen: { port: 0, host: '127.0.0.1' } }).then(() =>
  console.log('listening on 127.0.0.1 ' + Math.round(process.uptime() * 1000) + ' ms after launch'));`;

interface Run {
  launchMs: number;
  idleRssMb: number;
  peakRssMb: number;
}

const rssOf = (pid: number, field: 'VmRSS' | 'VmHWM') =>
  Math.round(
    Number(
      new RegExp(`${field}:\\s+(\\d+)`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0,
    ) / 1024,
  );

function startOnce(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, {
      cwd: ROOT,
      env: { ...process.env, ...env },
    });
    let output = '';
    const deadline = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`no "listening" line within 60 s:\n${output}`));
    }, 60_000);
    const onData = (chunk: Buffer) => {
      output += chunk;
      const match = LISTENING.exec(output);
      if (!match) return;
      child.stdout.off('data', onData);
      void sleep(1_500).then(() => {
        const idleRssMb = rssOf(child.pid!, 'VmRSS');
        const peakRssMb = rssOf(child.pid!, 'VmHWM');
        child.once('exit', () => {
          clearTimeout(deadline);
          resolve({ launchMs: Number(match[1]), idleRssMb, peakRssMb });
        });
        child.kill('SIGTERM');
      });
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (chunk: Buffer) => (output += chunk));
  });
}

const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function main(): Promise<void> {
  if (!existsSync(ENTRY)) throw new Error('build first: npm run build');
  const restarts = Number(process.argv[2] ?? 5);
  console.log(`startup bench — ${machine()}`);
  const dataDir = mkdtempSync(join(tmpdir(), 'loremaster-startup-'));
  const appEnv = {
    DATA_DIR: dataDir,
    PORT: '0',
    HOST: '127.0.0.1',
    NODE_ENV: 'development',
    DATABASE_URL: '',
    REDIS_URL: '',
  };
  try {
    const first = await startOnce([ENTRY], appEnv);
    const again: Run[] = [];
    for (let i = 0; i < restarts; i++) again.push(await startOnce([ENTRY], appEnv));
    const node: Run[] = [];
    const apollo: Run[] = [];
    for (let i = 0; i < 3; i++) {
      node.push(await startOnce(['-e', BARE_NODE]));
      apollo.push(await startOnce(['-e', BARE_APOLLO], { NODE_ENV: 'production' }));
    }
    const row = (name: string, runs: Run[]) => [
      name,
      runs.map((r) => r.launchMs).join(', '),
      String(median(runs.map((r) => r.launchMs))),
      String(median(runs.map((r) => r.idleRssMb))),
      String(median(runs.map((r) => r.peakRssMb))),
    ];
    console.log('');
    printTable(
      ['process', 'listening after (ms)', 'median ms', 'idle RSS MB', 'peak RSS MB'],
      [
        row('loremaster first start (initdb + migrations)', [first]),
        row(`loremaster restart on the same folder (${restarts})`, again),
        row('bare node, requires nothing (3)', node),
        row('bare Apollo 5 standalone, schema.gql (3)', apollo),
      ],
    );
    const restart = median(again.map((r) => r.launchMs));
    const apolloStart = median(apollo.map((r) => r.launchMs));
    report({
      scenario: 'start-up',
      figure: 'restart (embedded)',
      value: restart,
      baseline: apolloStart,
      ratio: restart / apolloStart,
      target: 'restart < 2000 ms',
      met: restart < 2000,
      unit: 'ms',
    });
    report({
      scenario: 'start-up',
      figure: 'first start (initdb)',
      value: first.launchMs,
      baseline: apolloStart,
      ratio: first.launchMs / apolloStart,
      target: 'none',
      unit: 'ms',
    });
    const idle = median(again.map((r) => r.idleRssMb));
    const apolloIdle = median(apollo.map((r) => r.idleRssMb));
    report({
      scenario: 'start-up',
      figure: 'idle RSS (embedded)',
      value: idle,
      baseline: apolloIdle,
      ratio: idle / apolloIdle,
      target: 'none',
      unit: 'MB',
    });
    report({
      scenario: 'start-up',
      figure: 'bare node start',
      value: median(node.map((r) => r.launchMs)),
      baseline: apolloStart,
      ratio: median(node.map((r) => r.launchMs)) / apolloStart,
      target: 'none (reference)',
      unit: 'ms',
    });
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (isMain(__filename)) runMain(main);
