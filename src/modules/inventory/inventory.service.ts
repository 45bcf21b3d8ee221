import { LockMode } from '@mikro-orm/core';
import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { isUuid } from '../../common/errors/validation';
import { EventType } from '../events/event-type.enum';
import {
  EventLog,
  EventsService,
  locationEventsTopic,
  RecordOptions,
} from '../events/events.service';
import type { ItemEffect } from '../items/item-rules';
import { Item } from '../items/item.entity';
import { ItemType } from '../items/item.enums';
import { Player } from '../players/player.entity';
import { PlayerErrors } from '../players/players.errors';
import { InventoryEntry, MAX_STACK } from './inventory-entry.entity';
import { InventoryErrors } from './inventory.errors';
import {
  carryCapacity,
  effectiveStats,
  hundredths,
  Maxima,
  maximaAfter,
  maximaAllowed,
  stackWeight,
} from './inventory-rules';

/** An effect as it was applied: heal and restoreMana report what they actually restored. */
export type AppliedEffect = ItemEffect & { applied?: number };

type UnequipReason = 'unequip' | 'replaced' | 'dropped' | 'given';

/**
 * Inventories. Every change locks the character row(s) first (PESSIMISTIC_WRITE)
 * and only then reads the inventory, inside one EventsService transaction; the
 * CHECK and unique constraints of inventory_entries back the rules up.
 */
@Injectable()
export class InventoryService {
  constructor(private readonly events: EventsService) {}

  /**
   * Adds `quantity` of an item to a character's stack (creating it) and records
   * ITEM_ACQUIRED. Refuses a bad quantity (BAD_USER_INPUT), an unknown item
   * (NOT_FOUND), a stack past MAX_STACK or a load past the carrying capacity
   * (GAME_RULE_VIOLATION).
   * The caller must hold the player's row lock (PESSIMISTIC_WRITE) inside EventsService.transaction.
   */
  grantItem(
    tx: EntityManager,
    player: Player,
    itemId: string,
    quantity: number,
    log: EventLog,
    source: string,
  ): Promise<InventoryEntry> {
    return this.addToStack(tx, player, itemId, quantity, log, { source });
  }

  /**
   * How many of an item a character holds (0 when none).
   * The caller must hold the player's row lock (PESSIMISTIC_WRITE) inside EventsService.transaction.
   */
  async quantityOf(tx: EntityManager, playerId: string, itemId: string): Promise<number> {
    if (!isUuid(itemId)) return 0;
    const entry = await tx.findOne(
      InventoryEntry,
      { player: playerId, item: itemId },
      { refresh: true },
    );
    return entry?.quantity ?? 0;
  }

  async equip(userId: string, playerId: string, itemId: string): Promise<Player> {
    return this.events.transaction(async (tx, log) => {
      const player = await tx.getRepository(Player).lockOwned(userId, playerId);
      this.assertAlive(player);
      const entries = await this.held(tx, player.id);
      const entry = await this.owned(tx, player, entries, itemId);
      const item = entry.item;
      if (!item.slot) throw InventoryErrors.notEquippable(item.name);
      if (entry.equippedSlot)
        throw InventoryErrors.alreadyEquipped(player.characterName, item.name);

      const occupant = entries.find((e) => e.equippedSlot === item.slot);
      const maxima = maximaAfter(player, item.stats, occupant?.item.stats);
      if (!maximaAllowed(maxima)) throw InventoryErrors.tooFrail(player.characterName, item.name);
      if (occupant) {
        occupant.equippedSlot = null;
        // The slot index is checked row by row: free the slot before filling it.
        await tx.flush();
        this.recordUnequipped(player, occupant, item.slot, 'replaced', log);
      }
      this.applyMaxima(player, maxima);
      entry.equippedSlot = item.slot;
      log.record(player, EventType.ITEM_EQUIPPED, `${player.characterName} equipped ${item.name}`, {
        itemId: item.id,
        itemName: item.name,
        slot: item.slot,
        replacedItemId: occupant?.item.id ?? null,
      });
      return player;
    });
  }

  async unequip(userId: string, playerId: string, itemId: string): Promise<Player> {
    return this.events.transaction(async (tx, log) => {
      const player = await tx.getRepository(Player).lockOwned(userId, playerId);
      this.assertAlive(player);
      const entry = await this.owned(tx, player, await this.held(tx, player.id), itemId);
      if (!entry.equippedSlot)
        throw InventoryErrors.notEquipped(player.characterName, entry.item.name);
      this.takeOff(player, entry, 'unequip', log);
      return player;
    });
  }

  /**
   * Uses one unit of a consumable. heal and restoreMana clamp at the maximum (the
   * unit is spent even when nothing is restored). Buffs last for game-master turns,
   * which this server does not run yet: an item with a buff is refused, not wasted.
   */
  async use(userId: string, playerId: string, itemId: string): Promise<Player> {
    return this.events.transaction(async (tx, log) => {
      const player = await tx.getRepository(Player).lockOwned(userId, playerId);
      await this.useLocked(tx, player, itemId, log);
      return player;
    });
  }

  /**
   * useItem for a character the caller has locked inside an EventsService
   * transaction (also game-master turns). `data` is added to the ITEM_USED event.
   */
  async useLocked(
    tx: EntityManager,
    player: Player,
    itemId: string,
    log: EventLog,
    data: Record<string, unknown> = {},
  ): Promise<void> {
    this.assertAlive(player);
    const entry = await this.owned(tx, player, await this.held(tx, player.id), itemId);
    const item = entry.item;
    if (item.type !== ItemType.CONSUMABLE) throw InventoryErrors.notUsable(item.name);
    if (item.effects.some((effect) => effect.type === 'buff'))
      throw InventoryErrors.buffOutsideTurn(item.name);

    const applied = item.effects.map((effect) => applyEffect(player, effect, item.name));
    const remaining = entry.quantity - 1;
    this.setQuantity(tx, entry, remaining);
    log.record(player, EventType.ITEM_USED, `${player.characterName} used ${item.name}`, {
      itemId: item.id,
      itemName: item.name,
      remaining,
      effects: applied,
      ...data,
    });
  }

  async drop(userId: string, playerId: string, itemId: string, quantity: number): Promise<Player> {
    assertQuantity(quantity);
    return this.events.transaction(async (tx, log) => {
      const player = await tx.getRepository(Player).lockOwned(userId, playerId);
      await this.dropLocked(tx, player, itemId, quantity, log);
      return player;
    });
  }

  /**
   * dropItem for a character the caller has locked inside an EventsService
   * transaction (also game-master turns). `data` is added to the ITEM_DROPPED event.
   */
  async dropLocked(
    tx: EntityManager,
    player: Player,
    itemId: string,
    quantity: number,
    log: EventLog,
    data: Record<string, unknown> = {},
  ): Promise<void> {
    assertQuantity(quantity);
    this.assertAlive(player);
    const entry = await this.owned(tx, player, await this.held(tx, player.id), itemId);
    const item = entry.item;
    if (quantity > entry.quantity)
      throw InventoryErrors.notEnough(player.characterName, item.name, entry.quantity, quantity);
    const remaining = entry.quantity - quantity;
    if (remaining === 0 && entry.equippedSlot) this.takeOff(player, entry, 'dropped', log);
    this.setQuantity(tx, entry, remaining);
    log.record(
      player,
      EventType.ITEM_DROPPED,
      `${player.characterName} dropped ${quantity} × ${item.name}`,
      { itemId: item.id, itemName: item.name, quantity, remaining, ...data },
    );
  }

  /** Hands items to any character standing in the same place; returns the giver. */
  async give(
    userId: string,
    fromPlayerId: string,
    toPlayerId: string,
    itemId: string,
    quantity: number,
  ): Promise<Player> {
    assertQuantity(quantity);
    return this.events.transaction(async (tx, log) => {
      // Both rows, one statement each, in id order: two opposite gives queue instead of deadlocking.
      const locked = new Map<string, Player | null>();
      for (const id of [...new Set([fromPlayerId, toPlayerId])].sort()) {
        locked.set(
          id,
          await tx.findOne(
            Player,
            { id, deletedAt: null },
            { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true },
          ),
        );
      }
      const from = locked.get(fromPlayerId);
      const to = locked.get(toPlayerId);
      // Another user's character is indistinguishable from none.
      if (!from || from.user.id !== userId) throw PlayerErrors.notFound();
      if (!to) throw PlayerErrors.notFound();
      if (from === to) throw InventoryErrors.giveToSelf();
      this.assertAlive(from);
      if (from.locationId !== to.locationId)
        throw InventoryErrors.notHere(from.characterName, to.characterName);

      const entry = await this.owned(tx, from, await this.held(tx, from.id), itemId);
      const item = entry.item;
      if (quantity > entry.quantity)
        throw InventoryErrors.notEnough(from.characterName, item.name, entry.quantity, quantity);
      const remaining = entry.quantity - quantity;
      if (remaining === 0 && entry.equippedSlot) this.takeOff(from, entry, 'given', log);
      this.setQuantity(tx, entry, remaining);

      const here = { alsoPublishTo: [locationEventsTopic(from.locationId)] };
      log.record(
        from,
        EventType.ITEM_GIVEN,
        `${from.characterName} gave ${quantity} × ${item.name} to ${to.characterName}`,
        {
          itemId: item.id,
          itemName: item.name,
          quantity,
          remaining,
          toPlayerId: to.id,
          toCharacterName: to.characterName,
          locationId: from.locationId,
        },
        here,
      );
      await this.addToStack(
        tx,
        to,
        item.id,
        quantity,
        log,
        { source: 'give', fromPlayerId: from.id, fromCharacterName: from.characterName },
        here,
      );
      return from;
    });
  }

  /** Equips a stack of a character being created: nothing is worn yet, so no slot to free. */
  async equipNew(
    tx: EntityManager,
    player: Player,
    entry: InventoryEntry,
    log: EventLog,
  ): Promise<void> {
    const item = entry.item;
    if (!item.slot) throw InventoryErrors.notEquippable(item.name);
    this.applyMaxima(player, maximaAfter(player, item.stats));
    entry.equippedSlot = item.slot;
    await tx.flush();
    log.record(player, EventType.ITEM_EQUIPPED, `${player.characterName} equipped ${item.name}`, {
      itemId: item.id,
      itemName: item.name,
      slot: item.slot,
      replacedItemId: null,
    });
  }

  private async addToStack(
    tx: EntityManager,
    player: Player,
    itemId: string,
    quantity: number,
    log: EventLog,
    data: { source: string } & Record<string, unknown>,
    options?: RecordOptions,
  ): Promise<InventoryEntry> {
    assertQuantity(quantity);
    const entries = await this.held(tx, player.id);
    let entry = entries.find((e) => e.item.id === itemId);
    const item = entry?.item ?? (isUuid(itemId) ? await tx.findOne(Item, itemId) : null);
    if (!item) throw InventoryErrors.itemNotFound();

    const total = (entry?.quantity ?? 0) + quantity;
    if (total > MAX_STACK)
      throw InventoryErrors.stackFull(player.characterName, item.name, entry?.quantity ?? 0);
    const adding = stackWeight(item.weight, quantity);
    const carried = carriedWeight(entries);
    const capacity = hundredths(carryCapacity(strengthOf(player, entries)));
    // Weightless things always fit, even in an overloaded pack.
    if (adding > 0 && carried + adding > capacity)
      throw InventoryErrors.tooHeavy(player.characterName, item.name, carried, adding, capacity);

    if (entry) entry.quantity = total;
    else
      entry = tx.create(InventoryEntry, {
        player,
        item,
        quantity,
        equippedSlot: null,
        createdAt: new Date(),
      });
    log.record(
      player,
      EventType.ITEM_ACQUIRED,
      `${player.characterName} acquired ${quantity} × ${item.name}`,
      { itemId: item.id, itemName: item.name, quantity, total, ...data },
      options,
    );
    return entry;
  }

  private assertAlive(player: Player): void {
    if (player.health <= 0) throw InventoryErrors.noHealth(player.characterName);
  }

  /** The whole inventory with its items, read after the row lock (so never stale). */
  private held(tx: EntityManager, playerId: string): Promise<InventoryEntry[]> {
    return tx.find(
      InventoryEntry,
      { player: playerId },
      { populate: ['item'], refresh: true, orderBy: { createdAt: 'asc', id: 'asc' } },
    );
  }

  /** The stack of `itemId`; an unknown item is NOT_FOUND, one not carried GAME_RULE_VIOLATION. */
  private async owned(
    tx: EntityManager,
    player: Player,
    entries: InventoryEntry[],
    itemId: string,
  ): Promise<InventoryEntry> {
    const entry = entries.find((e) => e.item.id === itemId);
    if (entry) return entry;
    const item = await tx.findOne(Item, itemId);
    if (!item) throw InventoryErrors.itemNotFound();
    throw InventoryErrors.notOwned(player.characterName, item.name);
  }

  private setQuantity(tx: EntityManager, entry: InventoryEntry, quantity: number): void {
    if (quantity === 0) tx.remove(entry);
    else entry.quantity = quantity;
  }

  private takeOff(
    player: Player,
    entry: InventoryEntry,
    reason: UnequipReason,
    log: EventLog,
  ): void {
    const slot = entry.equippedSlot!;
    const maxima = maximaAfter(player, undefined, entry.item.stats);
    // Taking off what was added can only return to where the character was; never refuse it.
    this.applyMaxima(player, {
      maxHealth: Math.max(1, maxima.maxHealth),
      maxMana: Math.max(0, maxima.maxMana),
    });
    entry.equippedSlot = null;
    this.recordUnequipped(player, entry, slot, reason, log);
  }

  private recordUnequipped(
    player: Player,
    entry: InventoryEntry,
    slot: string,
    reason: UnequipReason,
    log: EventLog,
  ): void {
    log.record(
      player,
      EventType.ITEM_UNEQUIPPED,
      `${player.characterName} took off ${entry.item.name}`,
      { itemId: entry.item.id, itemName: entry.item.name, slot, reason },
    );
  }

  private applyMaxima(player: Player, maxima: Maxima): void {
    // Equipping never heals; a lower maximum pulls the current value down with it.
    player.maxHealth = maxima.maxHealth;
    player.maxMana = maxima.maxMana;
    player.health = Math.min(player.health, player.maxHealth);
    player.mana = Math.min(player.mana, player.maxMana);
  }
}

function assertQuantity(quantity: number): void {
  if (!Number.isSafeInteger(quantity) || quantity < 1 || quantity > MAX_STACK)
    throw InventoryErrors.badQuantity();
}

function carriedWeight(entries: readonly InventoryEntry[]): number {
  return entries.reduce((sum, e) => sum + stackWeight(e.item.weight, e.quantity), 0);
}

function strengthOf(player: Player, entries: readonly InventoryEntry[]): number {
  const worn = entries.filter((e) => e.equippedSlot).map((e) => e.item.stats);
  return effectiveStats(player.stats, worn).strength;
}

function applyEffect(player: Player, effect: ItemEffect, itemName: string): AppliedEffect {
  switch (effect.type) {
    case 'heal': {
      const applied = Math.min(effect.amount, player.maxHealth - player.health);
      player.health += applied;
      return { ...effect, applied };
    }
    case 'restoreMana': {
      const applied = Math.min(effect.amount, player.maxMana - player.mana);
      player.mana += applied;
      return { ...effect, applied };
    }
    case 'buff':
      throw InventoryErrors.buffOutsideTurn(itemName);
    default: {
      const unknown: never = effect;
      throw new Error(`Unknown item effect ${JSON.stringify(unknown)}`);
    }
  }
}
