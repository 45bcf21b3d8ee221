import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable, Logger } from '@nestjs/common';
import { badInput, notFound, ruleViolation } from '../../common/errors/domain-error';
import { InjectConfig } from '../../config/config.module';
import type { AppConfig } from '../../config/env';
import { LlmClient } from '../../infra/llm/llm.client';
import { LlmUnavailableError } from '../../infra/llm/llm.types';
import { EventType } from '../events/event-type.enum';
import { EventsService } from '../events/events.service';
import { InventoryEntry } from '../inventory/inventory-entry.entity';
import { Item } from '../items/item.entity';
import { EquipmentSlot, ItemType, Rarity } from '../items/item.enums';
import { Player } from '../players/player.entity';
import { PlayerErrors } from '../players/players.errors';
import { ENEMY_KINDS } from '../quests/enemy-kinds';
import { isDone, Quest } from '../quests/quest.entity';
import { ObjectiveKind, QuestStatus } from '../quests/quest.enums';
import { Location } from '../world/location.entity';
import { LocationExit } from '../world/location-exit.entity';
import { Npc } from '../world/npc.entity';
import { NPC_MESSAGE_MAX, NPC_REPLY_MAX, NpcExchange, NpcReplySource } from './npc-exchange.entity';
import { DialogueFacts, offlineReply, suggestionsFor } from './npc-lines';
import { cleanModelText } from './model-text';
import { dialogueMessages } from './npc-prompt';

/** Past exchanges replayed to the model: enough for continuity, few enough for a small prompt. */
const HISTORY_SIZE = 6;

export interface NpcReply {
  exchange: NpcExchange;
  npc: Npc;
  player: Player;
  suggestions: string[];
}

interface Written {
  reply: string;
  source: NpcReplySource;
  model: string | null;
}

/**
 * Conversations with NPCs. The model (or the offline game master) only writes
 * words; the one state change is the NPC_TALKED event, recorded under the
 * character's lock, which is what TALK objectives advance on.
 */
@Injectable()
export class NpcDialogueService {
  private readonly logger = new Logger(NpcDialogueService.name);

  constructor(
    private readonly em: EntityManager,
    private readonly events: EventsService,
    private readonly llm: LlmClient,
    @InjectConfig() private readonly config: AppConfig,
  ) {}

  async talk(userId: string, playerId: string, npcId: string, said: string): Promise<NpcReply> {
    const message = cleanMessage(said);
    const player = await this.em.getRepository(Player).findOwned(userId, playerId);
    if (!player) throw PlayerErrors.notFound();
    const npc = await this.em.findOne(Npc, { id: npcId }, { populate: ['location'] });
    if (!npc) throw notFound('NPC');
    this.checkCanTalk(player, npc);

    // The model may take seconds: it writes before the transaction, so no lock is held meanwhile.
    const facts = await this.factsFor(player, npc);
    const written = await this.write(facts, message, userId, player.id);

    return this.events.transaction(async (tx, log) => {
      const locked = await tx.getRepository(Player).lockOwned(userId, playerId);
      // The character may have walked off while the NPC was answering.
      this.checkCanTalk(locked, npc);
      const exchange = tx.create(NpcExchange, {
        player: locked,
        npc: tx.getReference(Npc, npc.id),
        message,
        reply: written.reply,
        source: written.source,
        model: written.model,
        createdAt: new Date(),
      });
      log.record(locked, EventType.NPC_TALKED, `${locked.characterName} talked to ${npc.name}`, {
        npcId: npc.id,
        npcName: npc.name,
      });
      return { exchange, npc, player: locked, suggestions: suggestionsFor(facts) };
    });
  }

  private checkCanTalk(player: Player, npc: Npc): void {
    if (player.locationId !== npc.location.id)
      throw ruleViolation(
        `${npc.name} is not here: ${player.characterName} can only talk to NPCs where they stand`,
      );
    if (player.health <= 0)
      throw ruleViolation(
        `${player.characterName} has no health left and cannot talk until healed`,
      );
  }

  private async write(
    facts: DialogueFacts,
    message: string,
    userId: string,
    playerId: string,
  ): Promise<Written> {
    const offline = (source: NpcReplySource): Written => ({
      reply: offlineReply(facts, message),
      source,
      model: null,
    });
    if (!this.llm.configured) return offline(NpcReplySource.OFFLINE);
    try {
      // A conversation is never served from the cache: no `cache` here.
      const response = await this.llm.complete({
        purpose: 'dialogue',
        messages: dialogueMessages(facts, message),
        maxTokens: 300,
        temperature: 0.8,
        userId,
        playerId,
        // Retries included, a reply comes within a turn's deadline or the offline NPC speaks.
        deadline: Date.now() + this.config.gameMaster.turnDeadlineMs,
      });
      const reply = cleanModelText(response.content, NPC_REPLY_MAX);
      if (!reply) return offline(NpcReplySource.FALLBACK);
      return { reply, source: NpcReplySource.MODEL, model: response.model.slice(0, 128) };
    } catch (error) {
      if (!(error instanceof LlmUnavailableError))
        this.logger.warn(`NPC dialogue fell back after an unexpected error: ${String(error)}`);
      return offline(NpcReplySource.FALLBACK);
    }
  }

  private async factsFor(player: Player, npc: Npc): Promise<DialogueFacts> {
    const em = this.em;
    const location = npc.location as Location;
    const [history, pastExchanges, completed, quests, exits, here, wares, weapon] =
      await Promise.all([
        em.find(
          NpcExchange,
          { player: player.id, npc: npc.id },
          { orderBy: { createdAt: 'desc', id: 'desc' }, limit: HISTORY_SIZE },
        ),
        em.count(NpcExchange, { player: player.id, npc: npc.id }),
        em
          .getConnection()
          .execute<{ n: number }[]>(
            `select count(*)::int as n from quests where player_id = ? and status = ? and objectives @> ?::jsonb`,
            [player.id, QuestStatus.COMPLETED, JSON.stringify([{ kind: 'TALK', npcId: npc.id }])],
          ),
        em.find(Quest, {
          player: player.id,
          status: { $in: [QuestStatus.OFFERED, QuestStatus.ACTIVE] },
        }),
        em.getRepository(LocationExit).from([location.id]),
        em.getRepository(Player).livingIn([location.id]),
        npc.role === 'MERCHANT'
          ? em.find(
              Item,
              {
                type: { $in: [ItemType.CONSUMABLE, ItemType.MATERIAL] },
                rarity: { $in: [Rarity.COMMON, Rarity.UNCOMMON] },
              },
              { orderBy: { value: 'asc', name: 'asc' }, limit: 3 },
            )
          : Promise.resolve([]),
        em.findOne(
          InventoryEntry,
          { player: player.id, equippedSlot: EquipmentSlot.MAIN_HAND },
          { populate: ['item'] },
        ),
      ]);
    const active = quests.filter((q) => q.status === QuestStatus.ACTIVE);
    return {
      npc: { id: npc.id, name: npc.name, role: npc.role, description: npc.description },
      location: { id: location.id, name: location.name, region: location.region },
      player: {
        characterName: player.characterName,
        characterClass: player.characterClass,
        level: player.level,
        health: player.health,
        maxHealth: player.maxHealth,
        gold: player.gold,
      },
      standing: { pastExchanges, questsCompletedWithNpc: completed[0]?.n ?? 0 },
      questsForNpc: active
        .filter((q) =>
          q.objectives.some(
            (o) => o.kind === ObjectiveKind.TALK && o.npcId === npc.id && !isDone(o),
          ),
        )
        .map((q) => q.title),
      offeredQuests: quests.length - active.length,
      activeQuests: active.length,
      exits: exits.map((e) => e.toLocation.name),
      othersHere: here
        .filter((p) => p.id !== player.id)
        .slice(0, 5)
        .map((p) => p.characterName),
      wares: wares.map((i) => i.name),
      weapon: weapon?.item.name,
      enemies: ENEMY_KINDS.filter((e) => e.regions.includes(location.region)).map((e) => e.kind),
      history: history.reverse().map((x) => ({ message: x.message, reply: x.reply })),
    };
  }
}

/** The message in normal form: NFC, trimmed, whitespace collapsed; bounded, no control characters. */
export function cleanMessage(said: string): string {
  // Judged on the raw length first, so a megabyte is refused without being scanned.
  if (said.length > NPC_MESSAGE_MAX * 4) throw tooLong();
  const clean = said.normalize('NFC').replace(/\s+/g, ' ').trim();
  if (!clean) throw badInput('message must not be empty', 'message');
  if ([...clean].length > NPC_MESSAGE_MAX) throw tooLong();
  if (/[\p{Cc}\u2028\u2029]/u.test(clean))
    throw badInput('message must not contain control characters', 'message');
  return clean;
}

const tooLong = () => badInput(`message must be at most ${NPC_MESSAGE_MAX} characters`, 'message');
