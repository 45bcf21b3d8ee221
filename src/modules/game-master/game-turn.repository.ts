import { wrap } from '@mikro-orm/core';
import { EntityManager, EntityRepository } from '@mikro-orm/postgresql';
import { executePrepared } from '../../infra/database/prepared';
import type { PendingEvents } from '../events/events.service';
import type { Player } from '../players/player.entity';
import type { GameTurn } from './game-turn.entity';

export class GameTurnRepository extends EntityRepository<GameTurn> {
  /** A character's turns after `afterSequence`, oldest first (`limit + 1` rows for paging). */
  page(playerId: string, limit: number, afterSequence = 0): Promise<GameTurn[]> {
    return this.find(
      { player: playerId, sequence: { $gt: afterSequence } },
      { orderBy: { sequence: 'asc' }, limit: limit + 1 },
    );
  }

  /**
   * Writes a finished turn, one applied_tool_calls row per effect, the events the
   * turn recorded and its character's progression (`character`, see
   * characterWrite), in one statement, and returns the turn's sequence: the next
   * of its character's story. The turn and its events stay out of the unit of
   * work: append-only rows need no change tracking.
   *
   * Two ways to use it:
   * - in the transaction that holds the character's row lock
   *   (`tx.getRepository(GameTurn)`): the statement, which starts after the lock
   *   was granted, sees every earlier turn;
   * - alone, with `expected`, the version (`xmin`) of the character's row the
   *   turn's rules were checked against: everything is written only if the row is
   *   still that version, or nothing (the result is then undefined). A turn
   *   written meanwhile without changing the row takes the same sequence, which
   *   the unique (player, sequence) constraint refuses. `usage`, a statement of
   *   the caller's (the model's usage), is written in either case.
   */
  insertApplied(
    turn: GameTurn,
    events: PendingEvents,
    character: CharacterWrite | undefined,
  ): Promise<number>;
  insertApplied(
    turn: GameTurn,
    events: PendingEvents,
    character: CharacterWrite,
    checked: { expected: string; usage?: { sql: string; params: unknown[] } },
  ): Promise<number | undefined>;
  async insertApplied(
    turn: GameTurn,
    events: PendingEvents,
    character: CharacterWrite | undefined,
    checked?: { expected: string; usage?: { sql: string; params: unknown[] } },
  ): Promise<number | undefined> {
    const calls = turn.effects.map((e) => ({ id: e.toolCallId, tool: e.tool }));
    const createdAt = turn.createdAt.toISOString();
    if (checked && !character) throw new Error('a checked turn write needs the character state');
    const inserted = events.insert(checked ? 'exists (select from t)' : undefined);
    const usage = checked?.usage;
    const rows = await executePrepared<{ sequence: number; events: unknown }>(
      this.getEntityManager(),
      `with p as (
         update players set experience = ?, gold = ?, health = ?, mana = ?
         where id = ? and ${checked ? 'xmin = ?::xid' : '?::boolean'}
         returning id),
       t as (
         insert into game_turns (id, player_id, sequence, input, narrative, effects, rejected,
           suggestions, source, model, prompt_tokens, completion_tokens, latency_ms, created_at)
         select ?, ?, coalesce(max(sequence), 0) + 1, ?, ?, ?::jsonb, ?::jsonb, ?::jsonb, ?, ?,
           ?, ?, ?, ?::timestamptz
         from game_turns where player_id = ?
         ${checked ? 'having exists (select from p)' : ''}
         returning id, sequence),
       calls as (
         insert into applied_tool_calls (turn_id, tool_call_id, tool, created_at)
         select t.id, c.id, c.tool, ?::timestamptz
         from t, jsonb_to_recordset(?::jsonb) as c(id text, tool text)),
       e as (${inserted.sql})${
         usage
           ? `,
       u as (${usage.sql})`
           : ''
       }
       select sequence, (select coalesce(json_agg(id::text), '[]') from e) as events from t`,
      [
        character?.experience ?? 0,
        character?.gold ?? 0,
        character?.health ?? 0,
        character?.mana ?? 0,
        turn.player.id,
        // A checked write always updates the row: the check needs its lock, on the version
        // the rules saw. Unchecked, only when the turn changed those columns.
        checked ? checked.expected : (character?.changed ?? false),
        turn.id,
        turn.player.id,
        turn.input,
        turn.narrative,
        JSON.stringify(turn.effects),
        JSON.stringify(turn.rejected),
        JSON.stringify(turn.suggestions),
        turn.source,
        turn.model ?? null,
        turn.promptTokens,
        turn.completionTokens,
        turn.latencyMs,
        createdAt,
        turn.player.id,
        createdAt,
        JSON.stringify(calls),
        ...inserted.params,
        ...(usage?.params ?? []),
      ],
    );
    const [row] = rows;
    if (!row) return undefined;
    events.written(
      typeof row.events === 'string' ? JSON.parse(row.events) : (row.events as string[]),
    );
    character?.written();
    return Number(row.sequence);
  }
}

/** What a turn's own rules change on a character: its progression and vitals. */
const TURN_COLUMNS = ['experience', 'gold', 'health', 'mana'] as const;

/**
 * The character's TURN_COLUMNS for the turn's statement, and whether the turn
 * changed them; `written` once they are.
 */
export type CharacterWrite = Pick<Player, (typeof TURN_COLUMNS)[number]> & {
  changed: boolean;
  written(): void;
};

/**
 * The character's state for the turn's own statement instead of an update at the
 * flush, when the turn changed nothing but its TURN_COLUMNS; undefined when
 * something else changed (a level, a place: columns the response cache watches
 * through the flush), which the unit of work then writes at commit as usual.
 */
export function characterWrite(em: EntityManager, player: Player): CharacterWrite | undefined {
  const wrapped = wrap(player, true);
  const comparator = em.getComparator();
  const now = comparator.prepareEntity(player);
  const changed = Object.keys(
    comparator.diffEntities(wrapped.__meta.className, wrapped.__originalEntityData ?? {}, now),
  );
  if (!changed.every((c) => (TURN_COLUMNS as readonly string[]).includes(c))) return undefined;
  return {
    experience: player.experience,
    gold: player.gold,
    health: player.health,
    mana: player.mana,
    changed: changed.length > 0,
    // What the flush does after an update: the written state becomes the one it compares with.
    written: () => {
      wrapped.__originalEntityData = now;
      wrapped.__touched = false;
    },
  };
}
