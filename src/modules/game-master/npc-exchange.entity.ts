import { randomUUID } from 'node:crypto';
import { Entity, Enum, Index, ManyToOne, PrimaryKey, Property } from '@mikro-orm/core';
import { Player } from '../players/player.entity';
import { Npc } from '../world/npc.entity';

/** Who wrote an NPC's reply: the model, the offline game master, or the offline one standing in for a failed model. */
export enum NpcReplySource {
  MODEL = 'MODEL',
  OFFLINE = 'OFFLINE',
  FALLBACK = 'FALLBACK',
}

/** The longest message a player may say to an NPC, and the longest reply kept. */
export const NPC_MESSAGE_MAX = 500;
export const NPC_REPLY_MAX = 2000;

/**
 * One exchange of words between a character and an NPC: the memory the next
 * conversation with that NPC is built from. Words only; it never carries state.
 */
@Entity({ tableName: 'npc_exchanges' })
@Index({ properties: ['player', 'npc', 'createdAt'] })
export class NpcExchange {
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @ManyToOne(() => Player, { deleteRule: 'cascade' })
  player!: Player;

  @ManyToOne(() => Npc, { deleteRule: 'cascade' })
  npc!: Npc;

  @Property({ type: 'string', length: NPC_MESSAGE_MAX })
  message!: string;

  @Property({ type: 'string', length: NPC_REPLY_MAX })
  reply!: string;

  @Enum({ items: () => NpcReplySource, columnType: 'varchar(16)' })
  source!: NpcReplySource;

  /** The model that wrote the reply; null for the offline game master. */
  @Property({ type: 'string', length: 128, nullable: true })
  model?: string | null;

  @Property({ type: 'datetime', columnType: 'timestamptz' })
  createdAt: Date = new Date();
}
