import { LockMode } from '@mikro-orm/core';
import { EntityManager } from '@mikro-orm/postgresql';
import { Inject, Injectable } from '@nestjs/common';
import { EventType } from '../events/event-type.enum';
import { EventLog, EventsService } from '../events/events.service';
import { InventoryService } from '../inventory/inventory.service';
import { Item } from '../items/item.entity';
import { Player } from '../players/player.entity';
import { PlayerRepository } from '../players/player.repository';
import { PlayerErrors } from '../players/players.errors';
import { ProgressionService } from '../players/progression.service';
import { Location } from '../world/location.entity';
import { LocationExit } from '../world/location-exit.entity';
import { Npc } from '../world/npc.entity';
import { contextFor, factsOf, QuestWorld } from './quest-context';
import { QUEST_GENERATOR, QuestGenerator, QuestProposal } from './quest-generator';
import { QuestProgressService } from './quest-progress.service';
import { QUEST_LIMITS } from './quest-rules';
import { isDone, Quest } from './quest.entity';
import { QuestStatus } from './quest.enums';
import { QuestRepository } from './quest.repository';
import type { QuestView } from './quest.view';
import { validateQuestProposal } from './quest.validator';
import { QuestErrors } from './quests.errors';

/**
 * Quests: generation through the one validator, the life cycle, and rewards.
 * Every change locks the character's row first and the quest's second (the
 * same order as the progress reactions), inside one EventsService transaction.
 */
@Injectable()
export class QuestsService {
  constructor(
    private readonly em: EntityManager,
    private readonly quests: QuestRepository,
    private readonly players: PlayerRepository,
    private readonly events: EventsService,
    private readonly progression: ProgressionService,
    private readonly inventory: InventoryService,
    private readonly progress: QuestProgressService,
    @Inject(QUEST_GENERATOR) private readonly generator: QuestGenerator,
  ) {}

  /**
   * Asks the generator for a quest and saves it as OFFERED, once the validator
   * accepted it. A model's proposal is written before the transaction (it may
   * take seconds, too long to hold the character's lock); the built-in one is
   * instant, so it is written under the lock, seeded by a quest count that
   * concurrent calls cannot share. The caps and the validation run under the lock.
   */
  async generate(userId: string, playerId: string, hint?: string | null): Promise<Quest> {
    const wish = cleanHint(hint);
    const player = await this.players.findOwned(userId, playerId);
    if (!player) throw PlayerErrors.notFound();
    if ((await this.countOf(this.em, player.id, QuestStatus.OFFERED)) >= QUEST_LIMITS.maxOffered)
      throw QuestErrors.tooManyOffered(player.characterName);
    const offer = await this.prepareOffer(player, wish);
    return this.events.transaction(async (tx, log) => {
      const locked = await tx.getRepository(Player).lockOwned(userId, playerId);
      return this.offerLocked(tx, locked, offer, log);
    });
  }

  /**
   * The part of an offer that runs before the character's lock: the world, and a
   * model's proposal (seconds of work). `hint` must be clean (see cleanHint).
   */
  async prepareOffer(player: Player, hint: string | undefined): Promise<PreparedOffer> {
    const world = await this.loadWorld();
    const early =
      this.generator.source === 'model'
        ? await this.generator.propose(
            contextFor(player, await this.countOf(this.em, player.id), hint, world),
          )
        : undefined;
    return { hint, world, early };
  }

  /**
   * Offers a quest to a character the caller has locked inside an EventsService
   * transaction (generateQuest, game-master turns): caps and validation under the lock.
   */
  async offerLocked(
    tx: EntityManager,
    locked: Player,
    { hint, world, early }: PreparedOffer,
    log: EventLog,
  ): Promise<Quest> {
    if ((await this.countOf(tx, locked.id, QuestStatus.OFFERED)) >= QUEST_LIMITS.maxOffered)
      throw QuestErrors.tooManyOffered(locked.characterName);
    const proposal =
      early ??
      (await this.generator.propose(
        contextFor(locked, await this.countOf(tx, locked.id), hint, world),
      ));
    const validation = validateQuestProposal(proposal, factsOf(world, locked.level));
    if (!validation.ok)
      throw this.generator.source === 'built-in'
        ? QuestErrors.builtInProposalInvalid(validation.problems)
        : QuestErrors.proposalRefused(validation.problems);

    const { title, description, type, objectives, rewards } = validation.quest;
    const quest = tx.create(Quest, {
      player: locked,
      title,
      description,
      type,
      status: QuestStatus.OFFERED,
      objectives,
      rewards,
      createdAt: new Date(),
    });
    log.record(locked, EventType.QUEST_OFFERED, `${locked.characterName} was offered "${title}"`, {
      questId: quest.id,
      title,
      type,
    });
    return quest;
  }

  async accept(userId: string, questId: string): Promise<Quest> {
    return this.events.transaction(async (tx, log) => {
      const { player, quest } = await this.lockQuest(tx, userId, questId);
      if (quest.status !== QuestStatus.OFFERED)
        throw QuestErrors.wrongStatus(quest, 'accepted', [QuestStatus.OFFERED]);
      if ((await this.countOf(tx, player.id, QuestStatus.ACTIVE)) >= QUEST_LIMITS.maxActive)
        throw QuestErrors.tooManyActive(player.characterName);
      quest.status = QuestStatus.ACTIVE;
      quest.acceptedAt = new Date();
      log.record(
        player,
        EventType.QUEST_STARTED,
        `${player.characterName} accepted "${quest.title}"`,
        {
          questId: quest.id,
          title: quest.title,
        },
      );
      await this.progress.recountHeld(tx, player, quest, log);
      return quest;
    });
  }

  /** Declines an offered quest or gives up an active one; nothing is paid or taken. */
  async abandon(userId: string, questId: string): Promise<Quest> {
    return this.events.transaction(async (tx, log) => {
      const { player, quest } = await this.lockQuest(tx, userId, questId);
      const from = quest.status;
      if (from !== QuestStatus.OFFERED && from !== QuestStatus.ACTIVE)
        throw QuestErrors.wrongStatus(quest, 'abandoned', [
          QuestStatus.OFFERED,
          QuestStatus.ACTIVE,
        ]);
      quest.status = QuestStatus.ABANDONED;
      quest.endedAt = new Date();
      log.record(
        player,
        EventType.QUEST_ABANDONED,
        `${player.characterName} abandoned "${quest.title}"`,
        { questId: quest.id, title: quest.title, from },
      );
      return quest;
    });
  }

  /**
   * Completes an active quest whose objectives are all done and pays its rewards.
   * Exactly once: the status check and the payment happen under the character's
   * and the quest's row locks, so a concurrent second call finds it COMPLETED.
   * Collected items are kept (the inventory has no hand-in operation yet).
   */
  async complete(userId: string, questId: string): Promise<Quest> {
    return this.events.transaction(async (tx, log) => {
      const { player, quest } = await this.lockQuest(tx, userId, questId);
      if (quest.status === QuestStatus.COMPLETED) throw QuestErrors.alreadyCompleted(quest);
      if (quest.status !== QuestStatus.ACTIVE)
        throw QuestErrors.wrongStatus(quest, 'completed', [QuestStatus.ACTIVE]);
      // What is held now decides, not the count of the last event.
      await this.progress.recountHeld(tx, player, quest, log);
      const open = quest.objectives.filter((o) => !isDone(o));
      if (open.length > 0) throw QuestErrors.notDone(quest, open);

      quest.status = QuestStatus.COMPLETED;
      quest.completedAt = new Date();
      await this.payRewards(tx, player, quest, log);
      return quest;
    });
  }

  async getOwned(userId: string, id: string): Promise<Quest> {
    const quest = await this.quests.findOwned(userId, id);
    if (!quest) throw QuestErrors.notFound();
    return quest;
  }

  async listOwned(
    userId: string,
    playerId: string,
    status?: QuestStatus | null,
  ): Promise<QuestView[]> {
    const player = await this.players.viewOwned(userId, playerId);
    if (!player) throw PlayerErrors.notFound();
    return this.quests.ofPlayers([player.id], status ?? undefined);
  }

  private async payRewards(tx: EntityManager, player: Player, quest: Quest, log: EventLog) {
    const { experience, gold, items } = quest.rewards;
    const names = new Map(
      (await tx.find(Item, { id: { $in: items.map((i) => i.itemId) } })).map((i) => [i.id, i.name]),
    );
    log.record(
      player,
      EventType.QUEST_COMPLETED,
      `${player.characterName} completed "${quest.title}"`,
      {
        questId: quest.id,
        title: quest.title,
        rewards: {
          experience,
          gold,
          items: items.map((i) => ({ ...i, itemName: names.get(i.itemId) ?? null })),
        },
      },
    );
    const source = `quest:${quest.id}`;
    this.progression.awardExperience(player, experience, source, log);
    this.progression.changeGold(player, gold, source, log);
    // A full pack refuses the item, and with it the whole completion: make room and try again.
    for (const { itemId, quantity } of items)
      await this.inventory.grantItem(tx, player, itemId, quantity, log, 'quest');
  }

  /** The character's row lock, then the quest's: the order every quest change takes. */
  private async lockQuest(
    tx: EntityManager,
    userId: string,
    questId: string,
  ): Promise<{ player: Player; quest: Quest }> {
    const owner = await tx.findOne(
      Quest,
      { id: questId, player: { user: userId, deletedAt: null } },
      { fields: ['player'] },
    );
    if (!owner) throw QuestErrors.notFound();
    const player = await tx.getRepository(Player).lockOwned(userId, owner.player.id);
    // refresh: the copy read above must not stand in for the locked row.
    const quest = await tx.findOne(
      Quest,
      { id: questId, player: player.id },
      { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true },
    );
    if (!quest) throw QuestErrors.notFound();
    return { player, quest };
  }

  private countOf(em: EntityManager, playerId: string, status?: QuestStatus): Promise<number> {
    return em.count(Quest, { player: playerId, ...(status ? { status } : {}) });
  }

  private async loadWorld(): Promise<QuestWorld> {
    const em = this.em;
    const locations = await em.find(Location, {}, { orderBy: { id: 'asc' } });
    const exits = await em.find(LocationExit, {});
    const npcs = await em.find(Npc, {}, { orderBy: { id: 'asc' } });
    const items = await em.find(Item, {}, { orderBy: { id: 'asc' } });
    return {
      locations,
      exits: exits.map((e) => ({ from: e.fromLocation.id, to: e.toLocation.id })),
      npcs: npcs.map((n) => ({ id: n.id, name: n.name, role: n.role, locationId: n.location.id })),
      items,
    };
  }
}

/** What prepareOffer hands to offerLocked. */
export interface PreparedOffer {
  hint: string | undefined;
  world: QuestWorld;
  early: QuestProposal | undefined;
}

/** A hint in normal form: NFC, trimmed, spaces collapsed; blank means none. */
export function cleanHint(hint: string | null | undefined): string | undefined {
  if (hint == null) return undefined;
  if (hint.length > QUEST_LIMITS.hintMax * 4) throw QuestErrors.hintTooLong();
  const clean = hint.normalize('NFC').replace(/\s+/g, ' ').trim();
  if ([...clean].length > QUEST_LIMITS.hintMax) throw QuestErrors.hintTooLong();
  if (/\p{Cc}/u.test(clean)) throw QuestErrors.hintControl();
  return clean || undefined;
}
