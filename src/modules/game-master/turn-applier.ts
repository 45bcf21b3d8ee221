import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { DomainError } from '../../common/errors/domain-error';
import { isUuid } from '../../common/errors/validation';
import type { LlmToolCall } from '../../infra/llm/llm.types';
import { MetricsService } from '../../infra/metrics/metrics.service';
import { EventType } from '../events/event-type.enum';
import type { EventLog } from '../events/events.service';
import { InventoryService } from '../inventory/inventory.service';
import { Item } from '../items/item.entity';
import type { Player } from '../players/player.entity';
import { ProgressionService } from '../players/progression.service';
import { ENEMY_KINDS } from '../quests/enemy-kinds';
import { isDone, Quest } from '../quests/quest.entity';
import { ObjectiveKind, QuestStatus } from '../quests/quest.enums';
import { normaliseEnemyKind, RARITY_MIN_LEVEL, rarityFits } from '../quests/quest-rules';
import { QuestsService, type PreparedOffer } from '../quests/quests.service';
import { Location } from '../world/location.entity';
import { Npc } from '../world/npc.entity';
import { WorldService } from '../world/world.service';
import {
  isToolName,
  MAX_TOOL_CALL_ID_CHARS,
  parseToolCall,
  preview,
  storable,
  type ToolArgs,
  type ToolName,
} from './game-tools';
import { AppliedEffect, GameTurn, RejectedProposal } from './game-turn.entity';
import { NEEDS_LIFE, Refusal, TurnBudget } from './turn-rules';

/** Rejections kept per turn; a reply of thousands of calls is summed up past this. */
const MAX_REJECTIONS_KEPT = 200;
const SOURCE = 'turn';

export interface ApplyInput {
  /** The transaction holding the character's lock; for a checked turn (only tools of
   * CHARACTER_ROW_TOOLS, which read nothing else), the request's entity manager. */
  tx: EntityManager;
  log: EventLog;
  /** Locked by the caller (PESSIMISTIC_WRITE) in `tx`, or the row a checked turn read. */
  player: Player;
  turn: GameTurn;
  calls: readonly LlmToolCall[];
  budget: TurnBudget;
  /** offer_quest proposals prepared before the lock (a model may write the quest), by call id. */
  offers: ReadonlyMap<string, PreparedOffer | Refusal>;
}

export interface ApplyOutcome {
  effects: AppliedEffect[];
  rejected: RejectedProposal[];
  /** Every proposal's tool (a fixed set of metric labels) and the decision, in order. */
  decisions: { tool: string; accepted: boolean }[];
}

type Handler = (
  input: ApplyInput,
  args: ToolArgs,
  callId: string,
) => Promise<Record<string, unknown>>;

/**
 * Applies a turn's proposals, in order, inside the caller's transaction and
 * through the services that own each rule (progression, inventory, world,
 * quests), so the usual events are recorded. Whatever the rules refuse is
 * recorded with the reason and the turn goes on; nothing is ever thrown for a
 * bad proposal. Each applied call is one of the outcome's effects; the caller
 * writes them as applied_tool_calls rows with the turn (GameTurnRepository
 * insertApplied), in the same transaction as the effects.
 */
@Injectable()
export class TurnApplier {
  private readonly handlers: Record<ToolName, Handler> = {
    grant_experience: (i, a) => this.grantExperience(i, a),
    change_health: (i, a) => this.changeVital(i, a, 'health'),
    change_mana: (i, a) => this.changeVital(i, a, 'mana'),
    change_gold: (i, a) => this.changeGold(i, a),
    give_item: (i, a) => this.giveItem(i, a),
    take_item: (i, a) => this.takeItem(i, a),
    use_item: (i, a) => this.useItem(i, a),
    travel: (i, a) => this.travel(i, a),
    talk_to_npc: (i, a) => this.talkToNpc(i, a),
    advance_quest_objective: (i, a) => this.advanceObjective(i, a),
    offer_quest: (i, _a, id) => this.offerQuest(i, id),
    start_combat: (i, a) => this.startCombat(i, a),
  };

  constructor(
    private readonly progression: ProgressionService,
    private readonly inventory: InventoryService,
    private readonly world: WorldService,
    private readonly quests: QuestsService,
    private readonly metrics: MetricsService,
  ) {}

  async apply(input: ApplyInput): Promise<ApplyOutcome> {
    const { player, calls, budget } = input;
    const effects: AppliedEffect[] = [];
    const rejected: RejectedProposal[] = [];
    const decisions: ApplyOutcome['decisions'] = [];
    const seen = new Set<string>();
    let unrecorded = 0;
    const reject = (call: LlmToolCall, reason: string) => {
      decisions.push({ tool: metricName(call.name), accepted: false });
      if (rejected.length >= MAX_REJECTIONS_KEPT) return void unrecorded++;
      rejected.push({
        toolCallId: preview(call.id, MAX_TOOL_CALL_ID_CHARS),
        tool: preview(call.name, 64),
        args: preview(call.arguments),
        reason,
      });
    };

    for (const call of calls) {
      const id = typeof call.id === 'string' ? call.id : '';
      if (id.length === 0 || id.length > MAX_TOOL_CALL_ID_CHARS) {
        reject(call, `tool call id missing or longer than ${MAX_TOOL_CALL_ID_CHARS} characters`);
        continue;
      }
      if (/\p{Cc}/u.test(id) || storable(id) !== id) {
        reject(call, 'tool call id contains control characters');
        continue;
      }
      if (seen.has(id)) {
        reject(call, 'duplicate tool call id: this call was already proposed in this turn');
        continue;
      }
      seen.add(id);
      const parsed = parseToolCall(call, player.id);
      if (!parsed.ok) {
        reject(call, parsed.reason);
        continue;
      }
      if (budget.toolCalls <= 0) {
        reject(call, 'over the limit of tool calls applied per turn');
        continue;
      }
      if (budget.attempts <= 0) {
        reject(call, 'too many proposals in one turn');
        continue;
      }
      budget.attempts--;
      if (NEEDS_LIFE.has(parsed.tool) && player.health <= 0) {
        reject(call, `${player.characterName} has no health left`);
        continue;
      }
      let result: Record<string, unknown>;
      try {
        result = await this.handlers[parsed.tool](input, parsed.args, id);
      } catch (error) {
        // Services refuse with domain errors before they change anything; anything else fails the turn.
        if (error instanceof Refusal || isRuleError(error)) {
          reject(call, (error as Error).message);
          continue;
        }
        throw error;
      }
      budget.toolCalls--;
      // Each effect becomes the call's applied_tool_calls row, written with the turn.
      effects.push({ toolCallId: id, tool: parsed.tool, args: parsed.args, result });
      decisions.push({ tool: parsed.tool, accepted: true });
    }
    if (unrecorded > 0)
      rejected.push({
        toolCallId: '',
        tool: '',
        args: '',
        reason: `${unrecorded} more proposals rejected and not listed`,
      });
    return { effects, rejected, decisions };
  }

  /** Counts the decisions of an outcome that was written (not of one given up or rolled back). */
  count({ decisions }: ApplyOutcome): void {
    for (const { tool, accepted } of decisions)
      this.metrics.toolProposals.inc({ tool, decision: accepted ? 'accepted' : 'rejected' });
  }

  /** Counts the proposals of a turn whose changes rolled back: none was applied. */
  countRolledBack(calls: readonly LlmToolCall[]): void {
    for (const call of calls)
      this.metrics.toolProposals.inc({ tool: metricName(call.name), decision: 'rejected' });
  }

  private async grantExperience(
    { player, log, budget }: ApplyInput,
    args: ToolArgs,
  ): Promise<Record<string, unknown>> {
    const amount = args.amount as number;
    if (amount > budget.experience)
      throw new Refusal(
        `at most ${budget.experience} more experience this turn at level ${player.level}`,
      );
    const levels = this.progression.awardExperience(player, amount, SOURCE, log);
    budget.experience -= amount;
    return { amount, experience: player.experience, level: player.level, levelsGained: levels };
  }

  private async changeVital(
    { player, log, budget }: ApplyInput,
    args: ToolArgs,
    vital: 'health' | 'mana',
  ): Promise<Record<string, unknown>> {
    const amount = args.amount as number;
    if (amount === 0) throw new Refusal('amount must not be 0');
    if (Math.abs(amount) > budget[vital])
      throw new Refusal(`at most ${budget[vital]} more ${vital} may change this turn`);
    const max = vital === 'health' ? player.maxHealth : player.maxMana;
    const before = player[vital];
    const after = Math.max(0, Math.min(max, before + amount));
    if (after === before) throw new Refusal(`${vital} is already ${amount > 0 ? 'full' : 'at 0'}`);
    player[vital] = after;
    budget[vital] -= Math.abs(amount);
    const applied = after - before;
    log.record(
      player,
      vital === 'health' ? EventType.HEALTH_CHANGED : EventType.MANA_CHANGED,
      `${player.characterName} ${applied > 0 ? 'regained' : 'lost'} ${Math.abs(applied)} ${vital}`,
      vital === 'health'
        ? { amount: applied, health: after, maxHealth: max, source: SOURCE }
        : { amount: applied, mana: after, maxMana: max, source: SOURCE },
    );
    return { amount: applied, [vital]: after };
  }

  private async changeGold(
    { player, log, budget }: ApplyInput,
    args: ToolArgs,
  ): Promise<Record<string, unknown>> {
    const amount = args.amount as number;
    if (amount === 0) throw new Refusal('amount must not be 0');
    if (Math.abs(amount) > budget.gold)
      throw new Refusal(`at most ${budget.gold} more gold may change hands this turn`);
    this.progression.changeGold(player, amount, SOURCE, log);
    budget.gold -= Math.abs(amount);
    return { amount, gold: player.gold };
  }

  private async giveItem(
    { tx, player, log, budget }: ApplyInput,
    args: ToolArgs,
  ): Promise<Record<string, unknown>> {
    const quantity = (args.quantity as number | undefined) ?? 1;
    const item = await this.catalogueItem(tx, args);
    if (!rarityFits(item.rarity, player.level))
      throw new Refusal(
        `${item.rarity} items need level ${RARITY_MIN_LEVEL[item.rarity]} (${player.characterName} is level ${player.level})`,
      );
    if (quantity > budget.itemsGiven)
      throw new Refusal(`at most ${budget.itemsGiven} more items may be given this turn`);
    const entry = await this.inventory.grantItem(tx, player, item.id, quantity, log, SOURCE);
    budget.itemsGiven -= quantity;
    return { itemId: item.id, itemName: item.name, quantity, total: entry.quantity };
  }

  private async takeItem(
    { tx, player, log, budget }: ApplyInput,
    args: ToolArgs,
  ): Promise<Record<string, unknown>> {
    const itemId = itemIdOf(args.itemId);
    const quantity = (args.quantity as number | undefined) ?? 1;
    if (quantity > budget.itemsTaken)
      throw new Refusal(`at most ${budget.itemsTaken} more items may be taken this turn`);
    await this.inventory.dropLocked(tx, player, itemId, quantity, log, { source: SOURCE });
    budget.itemsTaken -= quantity;
    return { itemId, quantity };
  }

  private async useItem({ tx, player, log }: ApplyInput, args: ToolArgs) {
    const itemId = itemIdOf(args.itemId);
    await this.inventory.useLocked(tx, player, itemId, log, { source: SOURCE });
    return { itemId, health: player.health, mana: player.mana };
  }

  private async travel({ tx, player, log }: ApplyInput, args: ToolArgs) {
    const from = player.locationId;
    await this.world.move(tx, player, args.locationId as string, log);
    return { from, to: player.locationId };
  }

  private async talkToNpc({ tx, player, log }: ApplyInput, args: ToolArgs) {
    const npc = await this.npcHere(tx, player, args.npcId as string);
    this.recordTalk(player, npc, log);
    return { npcId: npc.id, npcName: npc.name };
  }

  private async advanceObjective({ tx, player, log }: ApplyInput, args: ToolArgs) {
    const questId = args.questId as string;
    const quest = isUuid(questId)
      ? await tx.findOne(Quest, { id: questId, player: player.id })
      : null;
    if (!quest) throw new Refusal(`no quest ${preview(questId, 40)} of ${player.characterName}`);
    if (quest.status !== QuestStatus.ACTIVE)
      throw new Refusal(`"${quest.title}" is ${quest.status}, not ACTIVE`);
    const index = args.objectiveIndex as number | undefined;
    const candidates = quest.objectives
      .map((objective, i) => ({ objective, i }))
      .filter(({ i }) => index === undefined || i === index);
    if (candidates.length === 0) throw new Refusal(`"${quest.title}" has no objective ${index}`);
    const open = candidates.filter(({ objective }) => !isDone(objective));
    if (open.length === 0) throw new Refusal('that objective is already done');
    const talk = open.find(
      ({ objective }) => objective.kind === ObjectiveKind.TALK && objective.npcId !== undefined,
    );
    if (!talk)
      throw new Refusal(
        'only TALK objectives advance in a turn: places advance by travelling, items by holding them, enemies in combat',
      );
    if (talk.objective.kind !== ObjectiveKind.TALK) throw new Refusal('not a TALK objective');
    const npc = await this.npcHere(tx, player, talk.objective.npcId);
    this.recordTalk(player, npc, log, { questId: quest.id });
    return { questId: quest.id, objective: talk.i, npcId: npc.id };
  }

  private async offerQuest({ tx, player, log, offers, budget }: ApplyInput, callId: string) {
    if (budget.quests <= 0) throw new Refusal('at most one quest may be offered per turn');
    const prepared = offers.get(callId);
    if (!prepared) throw new Refusal('the quest could not be prepared');
    if (prepared instanceof Refusal) throw prepared;
    const quest = await this.quests.offerLocked(tx, player, prepared, log);
    budget.quests--;
    return { questId: quest.id, title: quest.title };
  }

  private async startCombat({ tx, player, log, budget, turn }: ApplyInput, args: ToolArgs) {
    if (budget.combats <= 0) throw new Refusal('at most one fight may start per turn');
    const kind = normaliseEnemyKind(args.enemy as string);
    const enemy = ENEMY_KINDS.find((e) => e.kind === kind);
    if (!enemy) throw new Refusal(`no enemy kind "${preview(kind, 40)}" in this world`);
    const here = await tx.findOneOrFail(Location, player.locationId);
    if (!enemy.regions.includes(here.region)) throw new Refusal(`no ${kind} roams ${here.region}`);
    log.record(player, EventType.COMBAT_STARTED, `${player.characterName} fights a ${kind}`, {
      enemyKind: kind,
      locationId: here.id,
      turnId: turn.id,
    });
    budget.combats--;
    return { enemyKind: kind, locationId: here.id };
  }

  private async catalogueItem(tx: EntityManager, args: ToolArgs): Promise<Item> {
    if (args.itemId !== undefined) {
      const item = isUuid(args.itemId) ? await tx.findOne(Item, args.itemId as string) : null;
      if (!item) throw new Refusal(`no item ${preview(args.itemId, 40)} in the catalogue`);
      return item;
    }
    if (args.itemName === undefined) throw new Refusal('give_item needs itemId or itemName');
    const [row] = await tx.execute<{ id: string }[]>(
      'select id from items where lower(name) = lower(?) limit 1',
      [args.itemName],
    );
    const item = row ? await tx.findOne(Item, row.id) : null;
    if (!item) throw new Refusal(`no item named ${preview(args.itemName, 64)} in the catalogue`);
    return item;
  }

  private async npcHere(tx: EntityManager, player: Player, npcId: string): Promise<Npc> {
    const npc = await tx.findOne(Npc, { id: npcId });
    if (!npc) throw new Refusal(`no NPC ${preview(npcId, 64)}`);
    if (npc.location.id !== player.locationId)
      throw new Refusal(`${npc.name} is not where ${player.characterName} stands`);
    return npc;
  }

  private recordTalk(player: Player, npc: Npc, log: EventLog, extra: Record<string, unknown> = {}) {
    log.record(player, EventType.NPC_TALKED, `${player.characterName} talked to ${npc.name}`, {
      npcId: npc.id,
      npcName: npc.name,
      source: SOURCE,
      ...extra,
    });
  }
}

function itemIdOf(value: unknown): string {
  if (!isUuid(value)) throw new Refusal(`${preview(value, 40)} is not an item id`);
  return value;
}

/** Errors the services raise when their rules say no (they change nothing before raising them). */
function isRuleError(error: unknown): boolean {
  return error instanceof DomainError && error.code !== 'INTERNAL_SERVER_ERROR';
}

/** Metric labels stay a fixed set, whatever names a model invents. */
function metricName(name: string): string {
  return isToolName(name) ? name : 'unknown';
}
