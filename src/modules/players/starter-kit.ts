import type { EntityManager } from '@mikro-orm/postgresql';
import type { EventLog } from '../events/events.service';
import type { Player } from './player.entity';

/**
 * Equips a new character inside its creation transaction. The inventory module
 * provides it (3 "Health Potion" and the class weapon, equipped); the interface
 * keeps the players module free of inventory code.
 */
export interface StarterKit {
  grant(tx: EntityManager, player: Player, log: EventLog): Promise<void>;
}

export const STARTER_KIT = Symbol('STARTER_KIT');
