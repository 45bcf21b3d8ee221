import { EntityRepository } from '@mikro-orm/postgresql';
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
   * Writes a finished turn and one applied_tool_calls row per effect, in one
   * statement, and returns the turn's sequence: the next of its character's
   * story. The caller holds the character's row lock in this transaction (use
   * `tx.getRepository(GameTurn)`), so the statement, which starts after the lock
   * was granted, sees every earlier turn. The turn stays out of the unit of work:
   * append-only rows need no change tracking.
   */
  async insertApplied(turn: GameTurn): Promise<number> {
    const calls = turn.effects.map((e) => ({ id: e.toolCallId, tool: e.tool }));
    const createdAt = turn.createdAt.toISOString();
    const [row] = await this.getEntityManager().execute<{ sequence: number }[]>(
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
         from t, jsonb_to_recordset(?::jsonb) as c(id text, tool text))
       select sequence from t`,
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
      ],
    );
    return Number(row.sequence);
  }
}
