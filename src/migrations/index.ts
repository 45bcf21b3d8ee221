import type { MigrationObject } from '@mikro-orm/core';
import { Migration20261127000000_platform } from './Migration20261127000000_platform';

/** Listed explicitly so migrations run the same from TypeScript, compiled JS and tests. */
export const MIGRATIONS: MigrationObject[] = [
  { name: 'Migration20261127000000_platform', class: Migration20261127000000_platform },
];
