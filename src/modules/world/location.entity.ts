import { Check, Entity, EntityRepositoryType, PrimaryKey, Property } from '@mikro-orm/core';
import { LocationRepository } from './location.repository';

/** Slugs such as `millbrook-square`: stable, readable ids the game master can name in prose. */
export const SLUG_PATTERN = '^[a-z0-9]+(-[a-z0-9]+)*$';

/** A place on the map. Reference data: shipped by the migrations (see world.seed.ts). */
@Entity({ tableName: 'locations', repository: () => LocationRepository })
@Check({ name: 'locations_id_slug', expression: `id ~ '${SLUG_PATTERN}'` })
export class Location {
  [EntityRepositoryType]?: LocationRepository;

  @PrimaryKey({ type: 'string', length: 64 })
  id!: string;

  @Property({ type: 'string', length: 64 })
  name!: string;

  @Property({ type: 'text' })
  description!: string;

  @Property({ type: 'string', length: 64 })
  region!: string;
}
