import { Entity, Index, ManyToOne, PrimaryKey, Property } from '@mikro-orm/core';
import { Player } from '../players/player.entity';

/**
 * The event log: one row per state change, written in the transaction that made
 * the change. The bigint id is monotonic, so it orders the log and makes the cursor.
 */
@Entity({ tableName: 'game_events' })
@Index({ properties: ['player', 'id'] })
export class GameEvent {
  @PrimaryKey({ type: 'bigint', autoincrement: true })
  id!: string;

  @ManyToOne(() => Player, { deleteRule: 'cascade' })
  player!: Player;

  @Property({ type: 'string', length: 48 })
  type!: string;

  @Property({ type: 'text' })
  name!: string;

  @Property({ type: 'json' })
  data: Record<string, unknown> = {};

  @Property({ type: 'datetime', columnType: 'timestamptz' })
  createdAt: Date = new Date();
}
