// Scenario 3: `useItem` write throughput. Clients each play their own character, which holds a
// full stack (9999) of Health Potions set up by SQL, and call `useItem` back to back through the
// whole server (auth, limits, validation, a transaction that locks the character, updates the
// stack and health, writes an ITEM_USED GameEvent, commits, then publishes). On PostgreSQL (+
// Redis) and on PGlite (embedded).
//
// Baseline, same run and engine: the floor of one durable write per use, a bare
// `UPDATE inventory_entries SET quantity = quantity - 1 … RETURNING quantity` (autocommit) run by
// as many concurrent loops through the server's own pool (same driver and pool size: 10 on
// PostgreSQL, 1 on PGlite), with no HTTP, GraphQL or ORM. No target: the ratio says what the
// rest of a real game write costs on top of the storage engine. Afterwards the bench checks
// that the units spent equal the ITEM_USED events written (nothing lost or doubled under load).
//
//   node scripts/run-ts.js bench/use-item.ts [--only=pg|pglite]
import { startApp, type Engine } from './hot-read';
import { createPlayer, register, setStack, type Account } from './lib/game';
import {
  isMain,
  machine,
  MEASURE_SECONDS,
  measureLoad,
  printTable,
  report,
  runMain,
  watchdog,
  WARMUP_SECONDS,
  positiveInt,
  sleep,
} from './lib/harness';

const CLIENTS = positiveInt('BENCH_WRITE_CLIENTS', 20);
const USE_ITEM =
  'mutation Use($p: ID!, $i: ID!) { useItem(playerId: $p, itemId: $i) { id health } }';
const STACK = 9999;

async function main(): Promise<number> {
  const only = process.argv.find((a) => a.startsWith('--only='))?.slice(7) as Engine | undefined;
  const engines: Engine[] = only ? [only] : ['pg', 'pglite'];
  watchdog(60 + engines.length * (150 + 2 * (WARMUP_SECONDS + MEASURE_SECONDS)));
  console.log(`use-item bench — ${machine()}`);
  console.log(
    `${CLIENTS} clients, one character each, ${WARMUP_SECONDS} s warmup + ${MEASURE_SECONDS} s measured`,
  );
  const rows: string[][] = [];
  let failed = false;
  for (const engine of engines) {
    const app = await startApp(engine);
    try {
      const url = app.server.info.url as string;
      // A few accounts with several characters each (registration hashes a password: slow).
      const players: { account: Account; playerId: string }[] = [];
      let account: Account | undefined;
      for (let i = 0; i < CLIENTS; i++) {
        if (i % 5 === 0) account = await register(url);
        players.push({ account: account!, playerId: await createPlayer(url, account!) });
      }
      let itemId = '';
      for (const p of players)
        itemId = await setStack(app.server, p.playerId, 'Health Potion', STACK);
      // Fresh characters have used nothing yet, so every ITEM_USED event below is this load's.

      let next = 0;
      process.stdout.write(`  ${engine}: useItem through the server ... `);
      const load = await measureLoad(
        {
          url: `${url}/graphql`,
          connections: CLIENTS,
          // Each connection plays its own character (one per client).
          perClient: () => {
            const p = players[next++ % players.length];
            return {
              body: JSON.stringify({ query: USE_ITEM, variables: { p: p.playerId, i: itemId } }),
              headers: { authorization: `Bearer ${p.account.token}` },
            };
          },
          check: (b) => b.includes('"useItem"') && !b.includes('"errors"'),
        },
        app.server,
      );
      console.log(`${load.reqPerSec.toFixed(0)} writes/s`);

      // Nothing lost or doubled: units spent = ITEM_USED events. Read both in one statement,
      // once the writes still in flight when the load stopped have committed.
      await sleep(2_000);
      const ids = players.map((p) => p.playerId);
      const marks = ids.map(() => '?').join(',');
      const [counts] = await app.server.call<{ spent: string; events: string }[]>(
        'sql',
        `select (select coalesce(sum(${STACK} - quantity), 0) from inventory_entries
                  where item_id = ? and player_id in (${marks})) as spent,
                (select count(*) from game_events
                  where type = 'ITEM_USED' and player_id in (${marks})) as events`,
        [itemId, ...ids, ...ids],
      );
      const spent = Number(counts.spent);
      const events = Number(counts.events);
      const consistent = spent === events;
      console.log(
        `  ${engine}: ${spent} potions spent, ${events} ITEM_USED events -> ${consistent ? 'consistent' : 'MISMATCH'}`,
      );
      if (!consistent) failed = true;

      process.stdout.write(`  ${engine}: bare UPDATE ... RETURNING through the same pool ... `);
      const p0 = players[0].playerId;
      await app.server.call('sqlLoop', WARMUP_SECONDS, CLIENTS, BARE_UPDATE, [p0, itemId]);
      await app.server.call(
        'sql',
        'update inventory_entries set quantity = ? where player_id = ? and item_id = ?',
        [STACK, p0, itemId],
      );
      const bare = await app.server.call<number>('sqlLoop', MEASURE_SECONDS, CLIENTS, BARE_UPDATE, [
        p0,
        itemId,
      ]);
      console.log(`${bare.toFixed(0)} statements/s`);

      rows.push([
        engine === 'pg' ? 'PostgreSQL + Redis' : 'PGlite',
        load.reqPerSec.toFixed(0),
        String(load.p50),
        String(load.p99),
        `${(load.serverCpu * 100).toFixed(0)}%`,
        String(load.failures),
        bare.toFixed(0),
      ]);
      if (load.failures > 0) failed = true;
      report({
        scenario: 'useItem writes',
        figure: engine === 'pg' ? 'PostgreSQL + Redis' : 'PGlite',
        value: load.reqPerSec,
        baseline: bare,
        ratio: load.reqPerSec / bare,
        target: 'none (vs bare UPDATE)',
        unit: 'writes/s',
      });
    } finally {
      await app.dispose();
    }
  }
  console.log('');
  printTable(
    ['engine', 'useItem/s', 'p50 ms', 'p99 ms', 'server CPU', 'failed', 'bare UPDATE/s'],
    rows,
  );
  return failed ? 1 : 0;
}

const BARE_UPDATE =
  'update inventory_entries set quantity = quantity - 1 where player_id = ? and item_id = ? and quantity > 1 returning quantity';

if (isMain(__filename)) runMain(main);
