import { uniqueCharacterName } from '../support/factories';
import { runSql as sql } from '../support/run-sql';
import {
  Account,
  createPlayerOn,
  registerOn,
  ServerProcess,
  startServer,
} from '../support/server-process';
import { postgresService } from './support/services';

const GIVE = `mutation($from: ID!, $to: ID!, $item: ID!) {
  giveItem(fromPlayerId: $from, toPlayerId: $to, itemId: $item, quantity: 1) { id }
}`;
const USE = `mutation($p: ID!, $item: ID!) { useItem(playerId: $p, itemId: $item) { id } }`;
const CREATE = `mutation($input: CreatePlayerInput!) { createPlayer(input: $input) { id } }`;

/** What the giver holds at the start: enough for every give of the run. */
const STOCK = 5_000;
const CLIENTS = 6;

type Kind = 'give' | 'use' | 'create';
interface Outcome {
  kind: Kind;
  ok: boolean;
  /** extensions.code of a refused write, or 'TRANSPORT' when no GraphQL answer came back. */
  code?: string;
  retryable?: boolean;
  message?: string;
  startedAt: number;
  ms: number;
  characterName?: string;
}

interface Writer {
  server: ServerProcess;
  account: Account;
  giver: string;
  receiver: string;
  potion: string;
  outcomes: Outcome[];
}

async function write(
  writer: Writer,
  kind: Kind,
  query: string,
  variables: Record<string, unknown>,
  extra: Partial<Outcome> = {},
): Promise<void> {
  const startedAt = Date.now();
  let outcome: Outcome;
  try {
    const res = await writer.server.gql(query, variables, writer.account.accessToken, 20_000);
    const error = res.errors?.[0];
    outcome = error
      ? {
          kind,
          ok: false,
          code: error.extensions.code,
          retryable: error.extensions.retryable,
          message: error.message,
          startedAt,
          ms: Date.now() - startedAt,
        }
      : { kind, ok: true, startedAt, ms: Date.now() - startedAt };
  } catch (error) {
    outcome = {
      kind,
      ok: false,
      code: 'TRANSPORT',
      message: String(error),
      startedAt,
      ms: Date.now() - startedAt,
    };
  }
  writer.outcomes.push({ ...outcome, ...extra });
}

/** give (giver → receiver), use (receiver), and every third round a new character, until told to stop. */
async function writeUntil(writer: Writer, done: () => boolean): Promise<void> {
  for (let round = 0; !done(); round++) {
    await write(writer, 'give', GIVE, {
      from: writer.giver,
      to: writer.receiver,
      item: writer.potion,
    });
    await write(writer, 'use', USE, { p: writer.receiver, item: writer.potion });
    if (round % 3 === 0) {
      const characterName = uniqueCharacterName('Fault');
      await write(
        writer,
        'create',
        CREATE,
        { input: { characterName, characterClass: 'MAGE' } },
        { characterName },
      );
    }
  }
}

const pg = postgresService();

/**
 * PostgreSQL is stopped (fast shutdown: open transactions rolled back,
 * connections cut) and started again while several clients write through two
 * instances. Every write must either commit exactly once or fail with a
 * retryable error, nothing may be half-applied, and the instances' pools must
 * recover by themselves.
 */
(pg.unavailable ? describe.skip : describe)(
  `PostgreSQL restart during writes${pg.unavailable ? ` (skipped: ${pg.unavailable})` : ''}`,
  () => {
    let a: ServerProcess;
    let b: ServerProcess;
    const writers: Writer[] = [];
    let downAt = 0;
    let upAt = 0;

    beforeAll(async () => {
      await pg.ensureUp();
      const env = {
        DB_POOL_SIZE: '4',
        MAX_PLAYERS_PER_USER: '1000',
        // Rate limits are another test's business: here every write must reach the database.
        RATE_LIMIT_ENABLED: 'false',
      };
      [a, b] = await Promise.all([startServer(env), startServer(env)]);
      for (let i = 0; i < CLIENTS; i++) {
        const server = i % 2 === 0 ? a : b;
        const account = await registerOn(server);
        const giver = await createPlayerOn(server, account);
        const receiver = await createPlayerOn(server, account);
        writers.push({
          server,
          account,
          giver: giver.id,
          receiver: receiver.id,
          potion: giver.potionId,
          outcomes: [],
        });
      }
      await sql(
        `update inventory_entries set quantity = $1
       where player_id = any($2::uuid[]) and item_id = $3`,
        [STOCK, writers.map((w) => w.giver), writers[0].potion],
      );
    }, 120_000);

    afterAll(async () => {
      await pg.ensureUp();
      await Promise.all([a?.stop(), b?.stop()]);
    });

    it('commits each write once or refuses it as retryable, and recovers without a restart', async () => {
      let stop = false;
      const downHealth: number[] = [];
      const streams = writers.map((w) => writeUntil(w, () => stop));
      try {
        // Writes flowing, then the outage, then writes flowing again.
        await new Promise((r) => setTimeout(r, 1_500));
        downAt = Date.now();
        pg.stop();
        await pg.waitUntil(false);
        // Load balancers stop sending traffic to an instance that cannot reach its database.
        for (const server of [a, b]) downHealth.push((await server.get('/health/ready')).status);
        await new Promise((r) => setTimeout(r, 2_000));
        pg.start();
        await pg.waitUntil(true);
        upAt = Date.now();
        // Long enough after the restart for every writer to see the pool recover.
        const deadline = Date.now() + 60_000;
        // (Counted on writes started 5 s after the restart, the window asserted below:
        // a writer can be mid-request at the 5 s mark.)
        while (
          Date.now() < deadline &&
          !writers.every(
            (w) => w.outcomes.filter((o) => o.ok && o.startedAt > upAt + 5_000).length >= 3,
          )
        ) {
          await new Promise((r) => setTimeout(r, 100));
        }
      } finally {
        stop = true;
        await pg.ensureUp();
        await Promise.all(streams);
      }

      const all = writers.flatMap((w) => w.outcomes);
      const failed = all.filter((o) => !o.ok);
      const firstOkAfterUp = Math.min(
        ...all.filter((o) => o.ok && o.startedAt >= upAt).map((o) => o.startedAt + o.ms),
      );
      const summary = {
        writes: all.length,
        committed: all.filter((o) => o.ok).length,
        failed: failed.length,
        failedBy: Object.fromEntries(
          [...new Set(failed.map((o) => `${o.code}${o.retryable ? ' (retryable)' : ''}`))].map(
            (key) => [
              key,
              failed.filter((o) => `${o.code}${o.retryable ? ' (retryable)' : ''}` === key).length,
            ],
          ),
        ),
        messages: [...new Set(failed.map((o) => o.message))],
        outageMs: upAt - downAt,
        recoveryMs: firstOkAfterUp - upAt,
        slowestMs: Math.max(...all.map((o) => o.ms)),
        // What the servers logged for them (the client sees no details, by design).
        serverLog: (a.output() + b.output())
          .split('\n')
          .flatMap((line) => {
            try {
              const entry = JSON.parse(line);
              return entry.context === 'GraphQLError' ? [String(entry.msg)] : [];
            } catch {
              const text = /(?:ERROR|WARN) \[GraphQLError\] (.*)$/.exec(line)?.[1];
              return text ? [text] : [];
            }
          })
          .map((text) => text.slice(-120)),
      };
      console.log(`PostgreSQL restart: ${JSON.stringify(summary, null, 2)}`);

      expect(downHealth).toEqual([503, 503]);
      // The outage did bite, and every refusal says "try again".
      expect(failed.length).toBeGreaterThan(0);
      expect(
        failed.filter((o) => o.code !== 'INTERNAL_SERVER_ERROR' || o.retryable !== true),
      ).toEqual([]);

      // Nothing half-done: each character's stock, its event log and the answers agree.
      for (const w of writers) {
        const gives = w.outcomes.filter((o) => o.kind === 'give' && o.ok).length;
        const uses = w.outcomes.filter((o) => o.kind === 'use' && o.ok).length;
        const [state] = await sql(
          `select
           (select quantity from inventory_entries where player_id = $1 and item_id = $3) as giver,
           (select coalesce(sum(quantity), 0) from inventory_entries where player_id = $2 and item_id = $3) as receiver,
           (select count(*) from game_events where player_id = $1 and type = 'ITEM_GIVEN') as given,
           (select count(*) from game_events where player_id = $2 and type = 'ITEM_ACQUIRED' and data->>'source' = 'give') as received,
           (select count(*) from game_events where player_id = $2 and type = 'ITEM_USED') as used`,
          [w.giver, w.receiver, w.potion],
        );
        expect({
          giver: Number(state.giver),
          receiver: Number(state.receiver),
          given: Number(state.given),
          received: Number(state.received),
          used: Number(state.used),
        }).toEqual({
          giver: STOCK - gives,
          receiver: 3 + gives - uses,
          given: gives,
          received: gives,
          used: uses,
        });

        const attempted = w.outcomes.filter((o) => o.kind === 'create');
        const rows = await sql<{ character_name: string; events: string }>(
          `select p.character_name,
                (select count(*) from game_events e where e.player_id = p.id and e.type = 'PLAYER_CREATED') as events
         from players p where p.user_id = $1 and p.character_name = any($2::text[])`,
          [w.account.id, attempted.map((o) => o.characterName)],
        );
        expect(rows.map((r) => r.character_name).sort()).toEqual(
          attempted
            .filter((o) => o.ok)
            .map((o) => o.characterName)
            .sort(),
        );
        expect(rows.every((r) => Number(r.events) === 1)).toBe(true);
      }

      // The pools recovered on their own: the same processes answer, and writes succeed again.
      for (const server of [a, b]) {
        expect((await server.get('/health/ready')).status).toBe(200);
      }
      for (const w of writers) {
        const late = w.outcomes.filter((o) => o.startedAt > upAt + 5_000);
        expect(late.length).toBeGreaterThan(0);
        expect(late.filter((o) => !o.ok)).toEqual([]);
      }
    });
  },
);
