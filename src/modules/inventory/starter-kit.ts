import type { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import type { EventLog } from '../events/events.service';
import { HEALTH_POTION, seedItemId, STARTER_WEAPONS } from '../items/items.seed';
import type { Player } from '../players/player.entity';
import type { StarterKit } from '../players/starter-kit';
import { InventoryService } from './inventory.service';

export const STARTER_POTIONS = 3;

/** Every new character: 3 Health Potions and its class weapon, in hand. */
@Injectable()
export class InventoryStarterKit implements StarterKit {
  constructor(private readonly inventory: InventoryService) {}

  async grant(tx: EntityManager, player: Player, log: EventLog): Promise<void> {
    await this.inventory.grantItem(
      tx,
      player,
      seedItemId(HEALTH_POTION),
      STARTER_POTIONS,
      log,
      'starterKit',
    );
    const weapon = await this.inventory.grantItem(
      tx,
      player,
      seedItemId(STARTER_WEAPONS[player.characterClass]),
      1,
      log,
      'starterKit',
    );
    await this.inventory.equipNew(tx, player, weapon, log);
    // A new character starts full, also of what its weapon adds to the maxima.
    player.health = player.maxHealth;
    player.mana = player.maxMana;
  }
}
