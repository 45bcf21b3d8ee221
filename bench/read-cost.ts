// What one hot read costs the server, measured sequentially (one request at a time) so that a
// busy machine inflates it less than a throughput run: server CPU per read (user + system, from
// the server process itself), wall time per read, SQL statements per read. The tool used to
// judge each change to the hot path before/after (bench/README.md).
//
//   node scripts/run-ts.js bench/read-cost.ts [pg|pglite] [reads=300] [--profile]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { furnishedPlayer, HOT_READ, startApp, type Engine } from './hot-read';
import { isMain, machine, runMain } from './lib/harness';
import { summariseProfiles } from './lib/profile';

async function main(): Promise<void> {
  const engine = (process.argv[2] ?? 'pg') as Engine;
  const reads = Number(process.argv[3] ?? 300);
  const profile = process.argv.includes('--profile');
  console.log(`read-cost — ${engine} — ${machine()}`);
  const app = await startApp(engine);
  try {
    const f = await furnishedPlayer(app.server);
    const url = `${app.server.info.url as string}/graphql`;
    const body = JSON.stringify({ query: HOT_READ, variables: { id: f.playerId } });
    const read = async () => {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${f.token}` },
        body,
      });
      const text = await res.text();
      if (text.includes('"errors"')) throw new Error(text);
    };
    for (let i = 0; i < 50; i++) await read();
    const rounds: { cpu: number; wall: number }[] = [];
    for (let round = 0; round < 3; round++) {
      if (profile && round === 2) await app.server.call('profileStart');
      await app.server.call('statements');
      const cpu0 = await app.server.call<number>('cpu');
      const t0 = performance.now();
      for (let i = 0; i < reads; i++) await read();
      const wall = (performance.now() - t0) / reads;
      const cpu = ((await app.server.call<number>('cpu')) - cpu0) / 1000 / reads;
      const sql = (await app.server.call<number>('statements')) / reads;
      rounds.push({ cpu, wall });
      console.log(
        `  round ${round + 1}: server CPU ${cpu.toFixed(2)} ms/read, wall ${wall.toFixed(2)} ms/read, ${sql.toFixed(1)} SQL/read`,
      );
    }
    const best = Math.min(...rounds.map((r) => r.cpu));
    console.log(`  best: server CPU ${best.toFixed(2)} ms/read`);
    if (profile) {
      const dir = mkdtempSync(path.join(tmpdir(), 'lm-prof-'));
      await app.server.call('profileStop', path.join(dir, 'read.cpuprofile'));
      summariseProfiles(dir, 30);
      if (!process.env.KEEP_PROFILE) rmSync(dir, { recursive: true, force: true });
      else console.log(`profile kept in ${dir}`);
    }
  } finally {
    await app.dispose();
  }
}

if (isMain(__filename)) runMain(main);
