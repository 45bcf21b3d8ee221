import {
  Entity,
  EntityRepositoryType,
  Enum,
  ManyToOne,
  PrimaryKey,
  Property,
} from '@mikro-orm/core';
import { Location } from './location.entity';
import { NpcRole } from './npc-role';
import { NpcRepository } from './npc.repository';

/** A non-player character standing in one location. Reference data, like the map. */
@Entity({ tableName: 'npcs', repository: () => NpcRepository })
export class Npc {
  [EntityRepositoryType]?: NpcRepository;

  @PrimaryKey({ type: 'string', length: 64 })
  id!: string;

  @Property({ type: 'string', length: 64 })
  name!: string;

  /** A short persona: enough for the game master to play the part. */
  @Property({ type: 'text' })
  description!: string;

  @Enum({ items: () => NpcRole, columnType: 'varchar(16)' })
  role!: NpcRole;

  @ManyToOne(() => Location, { index: true })
  location!: Location;
}
