import { wrap } from '@mikro-orm/core';
import { EntityManager, EntityRepository } from '@mikro-orm/postgresql';
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
   * of its character's story. The caller holds the character's row lock in this
   * transaction (use `tx.getRepository(GameTurn)`), so the statement, which starts
   * after the lock was granted, sees every earlier turn. The turn and its events
   * stay out of the unit of work: append-only rows need no change tracking.
   */
  async insertApplied(
    turn: GameTurn,
    events: PendingEvents,
    character: CharacterWrite | undefined,
  ): Promise<number> {
    const calls = turn.effects.map((e) => ({ id: e.toolCallId, tool: e.tool }));
    const createdAt = turn.createdAt.toISOString();
    const inserted = events.insert();
    const [row] = await this.getEntityManager().execute<{ sequence: number; events: unknown }[]>(
      `with t as (
         insert into game_turns (id, player_id, sequence, input, narrative, effects, rejected,
           suggestions, source, model, prompt_tokens, completion_tokens, latency_ms, created_at)
         select ?, ?, coalesce(max(sequence), 0) + 1, ?, ?, ?::jsonb, ?::jsonb, ?::jsonb, ?, ?,
           ?, ?, ?, ?::timestamptz
         from game_turns where player_id = ?
         returning id, sequence),
       calls as (
         insert into applied_tool_calls (turn_id, tool_call_id, tool, created_at)
         select t.id, c.id, c.tool, ?::timestamptz
         from t, jsonb_to_recordset(?::jsonb) as c(id text, tool text)),
       e as (${inserted.sql}),
       p as (
         update players set experience = ?, gold = ?, health = ?, mana = ?
         where ?::boolean and id = ?)
       select sequence, (select coalesce(json_agg(id::text), '[]') from e) as events from t`,
      [
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
        character?.experience ?? 0,
        character?.gold ?? 0,
        character?.health ?? 0,
        character?.mana ?? 0,
        character !== undefined,
        turn.player.id,
      ],
    );
    events.written(
      typeof row.events === 'string' ? JSON.parse(row.events) : (row.events as string[]),
    );
    character?.written();
    return Number(row.sequence);
  }
}

/** What a turn's own rules change on a character: its progression and vitals. */
const TURN_COLUMNS = ['experience', 'gold', 'health', 'mana'] as const;

/** The character's TURN_COLUMNS for the turn's statement; `written` once they are. */
export type CharacterWrite = Pick<Player, (typeof TURN_COLUMNS)[number]> & { written(): void };

/**
 * The character's changes, for the turn's own statement instead of an update at
 * the flush, when they are only its TURN_COLUMNS; undefined when nothing changed
 * or something else did (a level, a place: columns the response cache watches
 * through the flush), which the unit of work then writes at commit as usual.
 */
export function characterWrite(em: EntityManager, player: Player): CharacterWrite | undefined {
  const wrapped = wrap(player, true);
  const comparator = em.getComparator();
  const now = comparator.prepareEntity(player);
  const changed = Object.keys(
    comparator.diffEntities(wrapped.__meta.className, wrapped.__originalEntityData ?? {}, now),
  );
  if (
    changed.length === 0 ||
    !changed.every((c) => (TURN_COLUMNS as readonly string[]).includes(c))
  )
    return undefined;
  return {
    experience: player.experience,
    gold: player.gold,
    health: player.health,
    mana: player.mana,
    // What the flush does after an update: the written state becomes the one it compares with.
    written: () => {
      wrapped.__originalEntityData = now;
      wrapped.__touched = false;
    },
  };
}
