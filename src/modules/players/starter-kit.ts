import type { EntityManager } from '@mikro-orm/postgresql';
import type { EventLog } from '../events/events.service';
import type { Player } from './player.entity';

/**
 * Equips a new character inside its creation transaction. The inventory module
 * (world issue) provides the real kit: 3 "Health Potion" and a class weapon.
 */
export interface StarterKit {
  grant(tx: EntityManager, player: Player, log: EventLog): Promise<void>;
}

export const STARTER_KIT = Symbol('STARTER_KIT');

/** Until the item catalogue exists, characters start with gold only. */
export class EmptyStarterKit implements StarterKit {
  async grant(): Promise<void> {}
}
