import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable, Logger } from '@nestjs/common';
import { InjectConfig } from '../../config/config.module';
import type { AppConfig } from '../../config/env';
import { LlmClient } from '../../infra/llm/llm.client';
import type { Player } from '../players/player.entity';
import { storable } from './game-tools';
import { PastTurn, summaryMessages } from './prompt';

/** Turns read per recall: unsummarised history past this is over any sane budget anyway. */
export const MAX_LOADED_TURNS = 40;
const SUMMARY_MAX_CHARS = 2_000;
const SUMMARY_DEADLINE_MS = 5_000;

export interface Recollection {
  summary: string | null;
  /** The turns quoted in the prompt, oldest first. */
  recent: (PastTurn & { sequence: number })[];
  /** True when this recall folded turns into the summary (which may have used the model). */
  summarised: boolean;
}

/**
 * Long-session memory: the recent turns verbatim and a rolling summary of the
 * older ones, stored with the character. When the unsummarised turns exceed the
 * token budget, all but the newest GM_HISTORY_TURNS are folded into the summary
 * (by the model when one is configured, else deterministically).
 */
@Injectable()
export class StoryMemoryService {
  private readonly logger = new Logger(StoryMemoryService.name);

  constructor(
    @InjectConfig() private readonly config: AppConfig,
    private readonly llm: LlmClient,
  ) {}

  async recall(em: EntityManager, player: Player, userId: string): Promise<Recollection> {
    // Plain rows, both at once: the history is read every turn and needs no entities.
    const [[story], latest] = await Promise.all([
      em
        .fork()
        .execute<{ summary: string; summarised_through: number }[]>(
          'select summary, summarised_through from player_stories where player_id = ?',
          [player.id],
        ),
      em.fork().execute<{ sequence: number; input: string; narrative: string }[]>(
        // Bounded by number as in GameContextService.loadTurn: the newest turns are the highest.
        `select sequence, input, narrative from game_turns
         where player_id = ? and sequence > (
           select coalesce(max(sequence), 0) from game_turns where player_id = ?) - ?
         order by sequence desc limit ?`,
        [player.id, player.id, MAX_LOADED_TURNS, MAX_LOADED_TURNS],
      ),
    ]);
    return this.recallFrom(
      em,
      player,
      userId,
      story ? { summary: story.summary, summarisedThrough: story.summarised_through } : null,
      latest,
    );
  }

  /**
   * The same from rows the caller read already: the stored story and the newest
   * MAX_LOADED_TURNS turns, newest first.
   */
  async recallFrom(
    em: EntityManager,
    player: Player,
    userId: string,
    story: { summary: string; summarisedThrough: number } | null,
    latest: readonly { sequence: number; input: string; narrative: string }[],
  ): Promise<Recollection> {
    const through = story?.summarisedThrough ?? 0;
    const turns = latest
      .filter((t) => t.sequence > through)
      .reverse()
      .map((t) => ({ sequence: t.sequence, input: t.input, narrative: t.narrative }));
    const keep = this.config.gameMaster.historyTurns;
    if (turns.length <= keep || estimateTokens(turns) <= this.config.gameMaster.historyTokenBudget)
      return { summary: story?.summary ?? null, recent: turns, summarised: false };

    const older = turns.slice(0, turns.length - keep);
    const recent = turns.slice(turns.length - keep);
    const summary = await this.summarise(story?.summary ?? null, older, userId, player.id);
    const covered = older.at(-1)!.sequence;
    // Two turns may summarise at once: the one that covers more wins.
    await em.fork().execute(
      `insert into player_stories (player_id, summary, summarised_through, updated_at)
       values (?, ?, ?, now())
       on conflict (player_id) do update set summary = excluded.summary,
         summarised_through = excluded.summarised_through, updated_at = excluded.updated_at
       where player_stories.summarised_through < excluded.summarised_through`,
      [player.id, summary, covered],
    );
    return { summary, recent, summarised: true };
  }

  private async summarise(
    previous: string | null,
    turns: PastTurn[],
    userId: string,
    playerId: string,
  ): Promise<string> {
    if (this.llm.configured) {
      try {
        const response = await this.llm.complete({
          purpose: 'summary',
          messages: summaryMessages(
            previous,
            turns.map(({ input, narrative }) => ({ input, narrative })),
          ),
          maxTokens: 300,
          temperature: 0.2,
          deadline: Date.now() + SUMMARY_DEADLINE_MS,
          userId,
          playerId,
        });
        const text = storable(response.content.trim());
        if (text) return clipTail(text);
      } catch (error) {
        this.logger.warn(
          `summary by the model failed, summarising offline: ${(error as Error).message}`,
        );
      }
    }
    return offlineSummary(previous, turns);
  }
}

/** About four characters a token: good enough to decide when to summarise. */
export function estimateTokens(turns: readonly PastTurn[]): number {
  return Math.ceil(turns.reduce((sum, t) => sum + t.input.length + t.narrative.length, 0) / 4);
}

/** The deterministic summary: each turn in a line, the oldest dropped first when it grows. */
export function offlineSummary(previous: string | null, turns: readonly PastTurn[]): string {
  const lines = turns.map((t) => `${clip(t.input, 60)} → ${clip(firstSentence(t.narrative), 140)}`);
  return clipTail([previous, ...lines].filter(Boolean).join('\n'));
}

function firstSentence(text: string): string {
  const match = /^[\s\S]*?[.!?](\s|$)/.exec(text);
  return (match ? match[0] : text).trim();
}

function clip(text: string, max: number): string {
  const points = [...text.replace(/\s+/g, ' ').trim()];
  return points.length > max ? `${points.slice(0, max).join('')}…` : points.join('');
}

function clipTail(text: string): string {
  const points = [...text];
  return points.length > SUMMARY_MAX_CHARS
    ? `…${points.slice(points.length - SUMMARY_MAX_CHARS).join('')}`
    : text;
}
