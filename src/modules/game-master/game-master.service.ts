import { randomUUID } from 'node:crypto';
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable, Logger } from '@nestjs/common';
import { DomainError } from '../../common/errors/domain-error';
import { lostInFlight } from '../../common/errors/transient';
import {
  Connection,
  DEFAULT_PAGE_SIZE,
  SequenceCursor,
  toConnection,
} from '../../common/graphql/connection';
import { InjectConfig } from '../../config/config.module';
import type { AppConfig } from '../../config/env';
import { LlmClient } from '../../infra/llm/llm.client';
import {
  addUsage,
  LlmUsageService,
  usageDay,
  usageUpsert,
} from '../../infra/llm/llm-usage.service';
import {
  LlmMessage,
  LlmResponse,
  LlmToolCall,
  LlmUnavailableError,
  type LlmFailureReason,
  type UsageCounts,
} from '../../infra/llm/llm.types';
import { MetricsService } from '../../infra/metrics/metrics.service';
import { EventBus } from '../../infra/pubsub/event-bus';
import { InjectEventBus } from '../../infra/pubsub/pubsub.module';
import { EventsService } from '../events/events.service';
import { Player } from '../players/player.entity';
import { cleanHint, QuestsService, type PreparedOffer } from '../quests/quests.service';
import { GameContext, GameContextService, LoadedTurn } from './game-context.service';
import { GameMasterErrors } from './game-master.errors';
import { isToolName, parseToolCall, preview, storable, TOOL_DEFINITIONS } from './game-tools';
import { GameTurn, RejectedProposal, TurnSource } from './game-turn.entity';
import { characterWrite } from './game-turn.repository';
import { NarrationStream } from './narration';
import { offlineTurn, suggestionsFor } from './offline-game-master';
import { repairMessage, turnMessages } from './prompt';
import { MAX_LOADED_TURNS, StoryMemoryService } from './story-memory.service';
import { ApplyOutcome, TurnApplier } from './turn-applier';
import { CHARACTER_ROW_TOOLS, Refusal, turnBudget } from './turn-rules';

/** Time kept back from the model so the offline game master can still answer within the deadline. */
const OFFLINE_RESERVE_MS = 250;

/** What a turn records besides its place in the story and its effects. */
type TurnRecord = Pick<
  GameTurn,
  | 'id'
  | 'input'
  | 'narrative'
  | 'source'
  | 'model'
  | 'promptTokens'
  | 'completionTokens'
  | 'suggestions'
>;

interface Answer {
  response: LlmResponse;
  source: TurnSource;
  /** Usage of every model attempt of the turn (a repair costs too). */
  promptTokens: number;
  completionTokens: number;
  model: string | null;
}

/**
 * Game-master turns. The model (or the offline game master) proposes narrative
 * and tool calls; the server checks every call against the rules and applies the
 * accepted ones atomically, together with the turn's record: in one statement
 * checked against the character as read (applyChecked), or in one transaction
 * under the character's row lock (applyLocked). The model never writes to the
 * database.
 */
@Injectable()
export class GameMasterService {
  private readonly logger = new Logger(GameMasterService.name);

  constructor(
    private readonly em: EntityManager,
    private readonly events: EventsService,
    private readonly contexts: GameContextService,
    private readonly memory: StoryMemoryService,
    private readonly applier: TurnApplier,
    private readonly quests: QuestsService,
    private readonly llm: LlmClient,
    private readonly usage: LlmUsageService,
    private readonly metrics: MetricsService,
    @InjectEventBus() private readonly bus: EventBus,
    @InjectConfig() private readonly config: AppConfig,
  ) {}

  async act(userId: string, playerId: string, said: string): Promise<GameTurn> {
    const usage = new UnwrittenUsage((counts) => this.usage.record(userId, counts));
    try {
      return await this.play(userId, playerId, said, usage);
    } finally {
      // Unless the turn's own statement wrote it (applyChecked), whatever became of the turn.
      await usage.close();
    }
  }

  private async play(
    userId: string,
    playerId: string,
    said: string,
    usage: UnwrittenUsage,
  ): Promise<GameTurn> {
    const input = cleanInput(said, this.config.gameMaster.inputMaxLength);
    const started = Date.now();
    const deadline = started + this.config.gameMaster.turnDeadlineMs;
    const loaded = await this.contexts.loadTurn(
      this.em,
      userId,
      playerId,
      MAX_LOADED_TURNS,
      usageDay(),
    );
    if (!loaded) throw GameMasterErrors.playerNotFound();
    const { player, context } = loaded;
    const memory = await this.memory.recallFrom(
      this.em,
      player,
      userId,
      loaded.story,
      loaded.latest,
    );
    const narration = new NarrationStream(
      this.bus,
      player.id,
      randomUUID(),
      this.config.gameMaster.narrativeMaxLength,
    );
    let answer: Answer;
    try {
      answer = await this.answer(
        context,
        memory,
        input,
        player,
        userId,
        narration,
        deadline,
        loaded.tokensToday,
        usage,
      );
    } catch (error) {
      this.logger.error(`no game master could answer: ${(error as Error).message}`);
      await narration.finish('');
      throw GameMasterErrors.unavailable();
    }
    const narrative = clipPoints(
      storable(answer.response.content.trim()),
      this.config.gameMaster.narrativeMaxLength,
    );
    const calls = answer.response.toolCalls;
    const offers = await this.prepareOffers(player, calls);

    const record: TurnRecord = {
      id: narration.turnId,
      input,
      narrative,
      source: answer.source,
      model: answer.model,
      promptTokens: answer.promptTokens,
      completionTokens: answer.completionTokens,
      suggestions: suggestionsFor(context),
    };
    let turn: GameTurn;
    try {
      turn =
        (await this.applyChecked(loaded, userId, record, calls, offers, started, usage)) ??
        (await this.applyLocked(userId, playerId, record, calls, offers, started));
    } catch (error) {
      if (error instanceof DomainError) {
        // E.g. the character was deleted meanwhile: subscribers still hear that the turn ended.
        await narration.finish('');
        throw error;
      }
      // Nothing of the turn's changes committed: record the story and say so, then go on.
      this.logger.error(
        `turn ${record.id} could not apply its changes: ${(error as Error).message}`,
      );
      this.applier.countRolledBack(calls);
      turn = await this.recordUnapplied(userId, playerId, record, calls, started);
    }
    if (turn.effects.some((e) => e.tool === 'travel')) {
      const moved = await this.em.fork().findOneOrFail(Player, player.id);
      turn.suggestions = suggestionsFor(await this.contexts.build(this.em, moved));
    }
    await narration.finish(turn.narrative);
    this.metrics.turns.inc({ source: turn.source });
    return turn;
  }

  /**
   * The common turn, whose proposals touch nothing but the character's own row
   * (experience, gold, health, mana), in one statement and without a transaction:
   * the rules are checked against the row as the turn read it, and the statement
   * writes only if the row is still that version. Two round trips fewer than the
   * locked way, which it leaves the turn to (undefined) when another tool was
   * proposed, a level was gained (columns written by the flush), an event has
   * reactions, or the character changed meanwhile.
   */
  private async applyChecked(
    loaded: LoadedTurn,
    userId: string,
    record: TurnRecord,
    calls: readonly LlmToolCall[],
    offers: ReadonlyMap<string, PreparedOffer | Refusal>,
    started: number,
    usage: UnwrittenUsage,
  ): Promise<GameTurn | undefined> {
    if (calls.some((c) => isToolName(c.name) && !CHARACTER_ROW_TOOLS.has(c.name))) return undefined;
    const { em } = this;
    const { player } = loaded;
    let turn: GameTurn | undefined;
    try {
      turn = await this.events.atOnce(async (log) => {
        const created = newTurn(record, player);
        const outcome = await this.applier.apply({
          tx: em,
          log,
          player,
          turn: created,
          calls,
          budget: turnBudget(this.config.gameMaster, player),
          offers,
        });
        const character = characterWrite(em, player);
        if (!character) return undefined;
        created.effects = outcome.effects;
        created.rejected = outcome.rejected;
        const events = await log.take();
        created.latencyMs = Date.now() - started;
        // The model's usage goes in with it, whether or not the character is still as read.
        const counts = usage.take();
        let sequence: number | undefined;
        try {
          sequence = await em.getRepository(GameTurn).insertApplied(created, events, character, {
            expected: loaded.read.version,
            usage: counts && usageUpsert(userId, counts),
          });
        } catch (error) {
          if (counts) usage.add(counts);
          throw error;
        }
        if (sequence === undefined) return undefined;
        created.sequence = sequence;
        this.applier.count(outcome);
        return created;
      });
    } catch (error) {
      // The statement commits by itself: lost under way, it may have (a lost COMMIT). Played
      // again, the turn would apply twice; the client reads `turns` first.
      if (lostInFlight(error))
        throw new DomainError(
          'INTERNAL_SERVER_ERROR',
          `turn ${record.id}: the connection was lost before its write was confirmed`,
        );
      // A turn of this character that left its row alone took the sequence meanwhile.
      if (!(error instanceof UniqueConstraintViolationException)) throw error;
    } finally {
      // Given up: the character as read again, without the changes the rules made to it.
      if (!turn) em.map(Player, { ...loaded.read.row });
    }
    return turn;
  }

  /** Any turn: its proposals applied in one transaction, under the character's row lock. */
  private async applyLocked(
    userId: string,
    playerId: string,
    record: TurnRecord,
    calls: readonly LlmToolCall[],
    offers: ReadonlyMap<string, PreparedOffer | Refusal>,
    started: number,
  ): Promise<GameTurn> {
    let outcome!: ApplyOutcome;
    const turn = await this.events.transaction(async (tx, log) => {
      const locked = await tx.getRepository(Player).lockOwned(userId, playerId);
      // Not persisted: written below in one statement with its applied tool calls.
      const created = newTurn(record, locked);
      outcome = await this.applier.apply({
        tx,
        log,
        player: locked,
        turn: created,
        calls,
        budget: turnBudget(this.config.gameMaster, locked),
        offers,
      });
      created.effects = outcome.effects;
      created.rejected = outcome.rejected;
      // Reactions to the turn's events run here, before their rows and the character's go in.
      const events = await log.take();
      created.latencyMs = Date.now() - started;
      created.sequence = await tx
        .getRepository(GameTurn)
        .insertApplied(created, events, characterWrite(tx, locked));
      return created;
    });
    this.applier.count(outcome);
    return turn;
  }

  async page(
    userId: string,
    playerId: string,
    first = DEFAULT_PAGE_SIZE,
    after?: string,
  ): Promise<Connection<GameTurn>> {
    const afterSequence = SequenceCursor.decode(after);
    const player = await this.em.getRepository(Player).findOwned(userId, playerId);
    if (!player) throw GameMasterErrors.playerNotFound();
    // Cursors past any int4 sequence simply have nothing after them.
    const from = afterSequence === undefined ? 0 : Math.min(Number(afterSequence), 2 ** 31);
    const rows = await this.em.getRepository(GameTurn).page(player.id, first, from);
    return toConnection(rows, first, (t) => SequenceCursor.encode(String(t.sequence)));
  }

  /** The model, repaired once if its answer is unusable; the offline game master otherwise. */
  private async answer(
    context: GameContext,
    memory: Awaited<ReturnType<StoryMemoryService['recall']>>,
    input: string,
    player: Player,
    userId: string,
    narration: NarrationStream,
    deadline: number,
    tokensToday: number,
    usage: UnwrittenUsage,
  ): Promise<Answer> {
    if (!this.llm.configured) return offline(offlineTurn(context, input), TurnSource.OFFLINE);

    const messages = turnMessages(
      context,
      memory.summary,
      memory.recent,
      input,
      turnBudget(this.config.gameMaster, player),
    );
    let promptTokens = 0;
    let completionTokens = 0;
    let extra: LlmMessage[] = [];
    for (let attempt = 0; ; attempt++) {
      let problem: string;
      // A repair's budget check reads the tokens the first attempt spent.
      if (attempt > 0) await usage.flush();
      try {
        const response = await this.callModel(
          [...messages, ...extra],
          userId,
          player.id,
          narration,
          deadline - OFFLINE_RESERVE_MS,
          // A summary or the first attempt may have spent since: a repair reads again.
          attempt === 0 && !memory.summarised ? tokensToday : undefined,
          usage,
        );
        promptTokens += response.usage.promptTokens;
        completionTokens += response.usage.completionTokens;
        const unusable = unusableBecause(response);
        if (!unusable)
          return {
            response,
            source: TurnSource.MODEL,
            promptTokens,
            completionTokens,
            model: response.model,
          };
        problem = unusable;
      } catch (error) {
        const reason: LlmFailureReason | 'unexpected' =
          error instanceof LlmUnavailableError ? error.reason : 'unexpected';
        if (reason !== 'bad_response') {
          // Down, slow, rate-limited, open circuit, over budget: the offline game master plays the turn.
          if (reason === 'unexpected')
            this.logger.error(`model call failed: ${(error as Error).message}`);
          narration.reset();
          return {
            ...offline(offlineTurn(context, input), TurnSource.FALLBACK),
            promptTokens,
            completionTokens,
          };
        }
        problem = (error as Error).message;
      }
      narration.reset();
      if (attempt >= 1) {
        // Two unusable answers: a story without changes.
        const look = offlineTurn(context, 'look');
        return {
          ...offline(
            {
              ...look,
              content: `The game master loses the thread for a moment, and nothing changes. ${look.content}`,
              toolCalls: [],
            },
            TurnSource.FALLBACK,
          ),
          promptTokens,
          completionTokens,
        };
      }
      extra = [repairMessage(problem)];
    }
  }

  /** One model call, held to the deadline even if the client overruns it. */
  private async callModel(
    messages: LlmMessage[],
    userId: string,
    playerId: string,
    narration: NarrationStream,
    deadline: number,
    tokensSpentToday: number | undefined,
    usage: UnwrittenUsage,
  ): Promise<LlmResponse> {
    const abort = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const overrun = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => {
          abort.abort();
          reject(
            new LlmUnavailableError('timeout', 'The model did not answer before the turn deadline'),
          );
        },
        Math.max(0, deadline - Date.now()),
      );
    });
    try {
      return await Promise.race([
        this.llm.complete({
          purpose: 'turn',
          messages,
          tools: TOOL_DEFINITIONS,
          temperature: 0.8,
          maxTokens: 800,
          onDelta: (text) => narration.delta(text),
          deadline,
          signal: abort.signal,
          userId,
          playerId,
          tokensSpentToday,
          takeUsage: (counts) => usage.add(counts),
        }),
        overrun,
      ]);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * offer_quest proposals are written before the character's lock (a model may
   * take seconds to write a quest); the caps and validation run under it.
   */
  private async prepareOffers(
    player: Player,
    calls: readonly LlmToolCall[],
  ): Promise<Map<string, PreparedOffer | Refusal>> {
    const offers = new Map<string, PreparedOffer | Refusal>();
    const call = calls.find((c) => c.name === 'offer_quest' && typeof c.id === 'string');
    if (!call) return offers;
    const parsed = parseToolCall(call, player.id);
    if (!parsed.ok) return offers;
    try {
      const hint = cleanHint(parsed.args.hint as string | undefined);
      offers.set(call.id, await this.quests.prepareOffer(player, hint));
    } catch (error) {
      offers.set(
        call.id,
        new Refusal(
          error instanceof DomainError ? error.message : 'the quest could not be written',
        ),
      );
    }
    return offers;
  }

  /** The turn without its changes, after their transaction failed and rolled back. */
  private recordUnapplied(
    userId: string,
    playerId: string,
    record: TurnRecord,
    calls: readonly LlmToolCall[],
    started: number,
  ): Promise<GameTurn> {
    const rejected: RejectedProposal[] = calls.slice(0, 200).map((c) => ({
      toolCallId: preview(c.id, 128),
      tool: preview(c.name, 64),
      args: '',
      reason: 'not applied: the changes of this turn failed and were rolled back',
    }));
    // A fresh identity map: the failed transaction's changes are still on the entities it loaded.
    return this.em.fork({ clear: true }).transactional(async (tx) => {
      const locked = await tx.getRepository(Player).lockOwned(userId, playerId);
      return tx.create(GameTurn, {
        ...record,
        player: locked,
        sequence: await nextSequence(tx, locked.id),
        effects: [],
        rejected,
        latencyMs: Date.now() - started,
        createdAt: new Date(),
      });
    });
  }
}

/**
 * A turn's model usage not written yet: written with the turn's changes, or on its
 * own (`write`, which never throws).
 */
class UnwrittenUsage {
  private counts?: UsageCounts;
  private closed = false;

  constructor(private readonly write: (counts: UsageCounts) => Promise<void>) {}

  add(counts: UsageCounts): void {
    // A call that answered after its turn gave up on it (the deadline) still cost tokens.
    if (this.closed) void this.write(counts);
    else this.counts = addUsage(this.counts, counts);
  }

  /** Hands over what is unwritten; `add` it back if writing it fails. */
  take(): UsageCounts | undefined {
    const { counts } = this;
    this.counts = undefined;
    return counts;
  }

  /** Writes what is unwritten. */
  async flush(): Promise<void> {
    const counts = this.take();
    if (counts) await this.write(counts);
  }

  /** Writes what is unwritten, and from now on whatever still arrives, at once. */
  async close(): Promise<void> {
    this.closed = true;
    await this.flush();
  }
}

/** A turn of `player`, not persisted: written in one statement with its applied tool calls. */
function newTurn(record: TurnRecord, player: Player): GameTurn {
  return Object.assign(new GameTurn(), { ...record, player, createdAt: new Date() });
}

function offline(response: LlmResponse, source: TurnSource): Answer {
  return { response, source, promptTokens: 0, completionTokens: 0, model: response.model };
}

/** Why a whole reply cannot be used (nothing to narrate and nothing proposed), or undefined. */
function unusableBecause(response: LlmResponse): string | undefined {
  if (response.content.trim() === '' && response.toolCalls.length === 0) return 'it was empty';
  return undefined;
}

/** The next number in a character's story; the caller holds the character's row lock. */
async function nextSequence(tx: EntityManager, playerId: string): Promise<number> {
  const [row] = await tx.execute<{ next: number }[]>(
    'select coalesce(max(sequence), 0) + 1 as next from game_turns where player_id = ?',
    [playerId],
  );
  return Number(row.next);
}

/** The player's words in normal form, or BAD_USER_INPUT. */
export function cleanInput(said: string, max: number): string {
  // Cheap bound first: a megabyte is refused before it is scanned.
  if (said.length > max * 4) throw GameMasterErrors.inputTooLong(max);
  const input = said.normalize('NFC').trim();
  if (input === '') throw GameMasterErrors.emptyInput();
  if ([...input].length > max) throw GameMasterErrors.inputTooLong(max);
  // Line breaks and tabs are fine; other control characters (and lone surrogates) are not.
  if (/(?![\n\r\t])\p{Cc}/u.test(input) || storable(input) !== input)
    throw GameMasterErrors.inputControl();
  return input;
}

function clipPoints(text: string, max: number): string {
  if (text.length <= max) return text;
  const points = [...text];
  return points.length > max ? points.slice(0, max).join('') : text;
}
