// `npm run bench`: every scenario, one after another (never two loads at once), each in its own
// process, then one table of every ratio against its target. Each scenario prints its own
// figures as it goes; lines starting with BENCH_RESULT are what this table is made of.
//
//   npm run bench                         (builds first: the start-up bench runs dist/)
//   BENCH_ONLY=hot-read,fanout npm run bench
//   BENCH_SECONDS=8 npm run bench         (measured seconds per load; default 5 here)
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { fmt, isMain, machine, printTable, type Ratio, RUN_TS, runMain } from './lib/harness';

const SCENARIOS = ['hot-read', 'cache', 'use-item', 'fanout', 'startup', 'game-master'];
/** Shorter than each script's own default, to keep the suite within 10 minutes. */
const ARGS: Record<string, string[]> = { startup: ['3'], 'game-master': ['200'] };

function runScenario(name: string): Promise<{ code: number; results: Ratio[]; seconds: number }> {
  return new Promise((resolve) => {
    const started = Date.now();
    const script = path.join(__dirname, `${name}.ts`);
    const child = spawn(process.execPath, [RUN_TS, script, ...(ARGS[name] ?? [])], {
      env: { ...process.env, BENCH_SECONDS: process.env.BENCH_SECONDS ?? '5' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const results: Ratio[] = [];
    let pending = '';
    child.stdout.on('data', (chunk: Buffer) => {
      pending += chunk.toString();
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        if (line.startsWith('BENCH_RESULT ')) results.push(JSON.parse(line.slice(13)) as Ratio);
        else console.log(line);
      }
    });
    child.on('exit', (code) =>
      resolve({ code: code ?? 1, results, seconds: (Date.now() - started) / 1000 }),
    );
  });
}

async function main(): Promise<number> {
  const only = process.env.BENCH_ONLY?.split(',').map((s) => s.trim());
  console.log(`npm run bench — ${machine()}`);
  const all: Ratio[] = [];
  const failed: string[] = [];
  /** Scenarios that print their verdict but no BENCH_RESULT line. */
  const silent: string[] = [];
  const started = Date.now();
  for (const name of SCENARIOS) {
    if (only && !only.includes(name)) continue;
    if (!existsSync(path.join(__dirname, `${name}.ts`))) {
      console.log(`\n== ${name}: not present, skipped`);
      continue;
    }
    console.log(`\n== ${name}`);
    const { code, results, seconds } = await runScenario(name);
    console.log(`== ${name}: ${seconds.toFixed(0)} s, exit ${code}`);
    if (code !== 0) failed.push(name);
    all.push(...results);
    if (results.length === 0) silent.push(name);
  }
  console.log(`\nAll ratios (${((Date.now() - started) / 60_000).toFixed(1)} min in all):\n`);
  printTable(
    ['scenario', 'figure', 'value', 'baseline', 'ratio', 'target', 'verdict'],
    all.map((r) => [
      r.scenario,
      r.figure,
      `${fmt(r.value)} ${r.unit}`,
      `${fmt(r.baseline)} ${r.unit}`,
      `${r.ratio.toFixed(2)}x`,
      r.target,
      r.met === undefined ? '-' : r.met ? 'met' : 'NOT met',
    ]),
  );
  for (const name of silent)
    console.log(`(${name}: no ratio line; its verdict is in its output above)`);
  if (failed.length > 0) console.error(`\nbench: ${failed.join(', ')} failed (see above)`);
  return failed.length > 0 ? 1 : 0;
}

if (isMain(__filename)) runMain(main);
