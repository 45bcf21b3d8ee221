import { LockMode } from '@mikro-orm/core';
import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable, OnModuleInit } from '@nestjs/common';
import { EventType } from '../events/event-type.enum';
import { EventLog, EventsService } from '../events/events.service';
import type { GameEvent } from '../events/game-event.entity';
import { InventoryService } from '../inventory/inventory.service';
import type { Player } from '../players/player.entity';
import { isDone, Quest, QuestObjective } from './quest.entity';
import { ObjectiveKind, QuestStatus } from './quest.enums';
import { normaliseEnemyKind } from './quest-rules';

/** The new `current` of an objective, or undefined when the event does not touch it. */
type Advance = (objective: QuestObjective) => Promise<number | undefined> | number | undefined;

const ITEM_EVENTS = [
  EventType.ITEM_ACQUIRED,
  EventType.ITEM_DROPPED,
  EventType.ITEM_GIVEN,
  EventType.ITEM_USED,
];

/**
 * Objectives advance by themselves: reactions to game events, run inside the
 * transaction that recorded the event (see EventsService.react), so progress
 * commits or rolls back with the change that caused it.
 */
@Injectable()
export class QuestProgressService implements OnModuleInit {
  constructor(
    private readonly events: EventsService,
    private readonly inventory: InventoryService,
  ) {}

  onModuleInit(): void {
    this.events.react([EventType.TRAVELLED], (tx, event, log) =>
      this.advance(tx, event.player, log, (o) =>
        o.kind === ObjectiveKind.VISIT && o.locationId === event.data.to ? 1 : undefined,
      ),
    );
    this.events.react([EventType.NPC_TALKED], (tx, event, log) =>
      this.advance(tx, event.player, log, (o) =>
        o.kind === ObjectiveKind.TALK && o.npcId === event.data.npcId ? 1 : undefined,
      ),
    );
    this.events.react([EventType.ENEMY_DEFEATED], (tx, event, log) => {
      const kind =
        typeof event.data.enemyKind === 'string' ? normaliseEnemyKind(event.data.enemyKind) : '';
      const count = Number.isSafeInteger(event.data.count) ? (event.data.count as number) : 1;
      return this.advance(tx, event.player, log, (o) =>
        o.kind === ObjectiveKind.DEFEAT && o.enemyKind === kind && count > 0
          ? Math.min(o.required, o.current + count)
          : undefined,
      );
    });
    // COLLECT counts what is held, so it is recomputed whenever that item comes or goes.
    this.events.react(ITEM_EVENTS, (tx, event, log) => this.recountItems(tx, event, log));
  }

  /**
   * COLLECT objectives counted from the inventory: at acceptance (items already
   * held count at once; a place must still be reached afterwards) and at completion.
   */
  recountHeld(tx: EntityManager, player: Player, quest: Quest, log: EventLog): Promise<void> {
    return this.update(player, quest, log, (o) => this.held(tx, player, o));
  }

  private recountItems(tx: EntityManager, event: GameEvent, log: EventLog): Promise<void> {
    const itemId = event.data.itemId;
    return this.advance(tx, event.player, log, (o) =>
      o.kind === ObjectiveKind.COLLECT && (itemId === undefined || o.itemId === itemId)
        ? this.held(tx, event.player, o)
        : undefined,
    );
  }

  private async held(
    tx: EntityManager,
    player: Player,
    o: QuestObjective,
  ): Promise<number | undefined> {
    if (o.kind !== ObjectiveKind.COLLECT) return undefined;
    return Math.min(o.required, await this.inventory.quantityOf(tx, player.id, o.itemId));
  }

  /** Applies `next` to every objective of the character's active quests. */
  private async advance(
    tx: EntityManager,
    player: Player,
    log: EventLog,
    next: Advance,
  ): Promise<void> {
    // The work before us may have changes in the unit of work: the queries below must see them.
    await tx.flush();
    // Locked after the character (the caller holds its row), like every quest change.
    const quests = await tx.find(
      Quest,
      { player: player.id, status: QuestStatus.ACTIVE },
      {
        lockMode: LockMode.PESSIMISTIC_WRITE,
        refresh: true,
        orderBy: { createdAt: 'asc', id: 'asc' },
      },
    );
    for (const quest of quests) await this.update(player, quest, log, next);
  }

  private async update(player: Player, quest: Quest, log: EventLog, next: Advance): Promise<void> {
    let changed = false;
    const objectives: QuestObjective[] = [];
    for (const [index, objective] of quest.objectives.entries()) {
      const current = await next(objective);
      if (current === undefined || current === objective.current) {
        objectives.push(objective);
        continue;
      }
      const moved = { ...objective, current };
      objectives.push(moved);
      changed = true;
      log.record(
        player,
        EventType.QUEST_PROGRESS,
        `${player.characterName}, "${quest.title}": ${moved.description} (${current}/${moved.required})`,
        {
          questId: quest.id,
          objective: index,
          kind: moved.kind,
          current,
          required: moved.required,
          done: isDone(moved),
        },
      );
    }
    // A new array, so the unit of work sees the jsonb change.
    if (changed) quest.objectives = objectives;
  }
}
