import { Check, Entity, EntityRepositoryType, ManyToOne, PrimaryKeyProp } from '@mikro-orm/core';
import { Location } from './location.entity';
import { LocationExitRepository } from './location-exit.repository';

/**
 * One direction of a path between two locations. Paths are two-way, so the
 * seed writes both directions; travel only ever asks "is there a row from here to there".
 */
@Entity({ tableName: 'location_exits', repository: () => LocationExitRepository })
@Check({ name: 'location_exits_not_a_loop', expression: 'from_location_id <> to_location_id' })
export class LocationExit {
  [EntityRepositoryType]?: LocationExitRepository;
  [PrimaryKeyProp]?: ['fromLocation', 'toLocation'];

  @ManyToOne(() => Location, { primary: true, deleteRule: 'cascade' })
  fromLocation!: Location;

  @ManyToOne(() => Location, { primary: true, deleteRule: 'cascade', index: true })
  toLocation!: Location;
}
