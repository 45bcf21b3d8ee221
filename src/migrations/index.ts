import type { MigrationObject } from '@mikro-orm/core';
import { Migration20261127000000_platform } from './Migration20261127000000_platform';
import { Migration20261127010000_world } from './Migration20261127010000_world';
import { Migration20261127020000_items } from './Migration20261127020000_items';
import { Migration20261127030000_inventory } from './Migration20261127030000_inventory';
import { Migration20261127040000_quests } from './Migration20261127040000_quests';
import { Migration20261127050000_llm_usage } from './Migration20261127050000_llm_usage';
import { Migration20261127060000_game_master } from './Migration20261127060000_game_master';
import { Migration20261127070000_npc_dialogue } from './Migration20261127070000_npc_dialogue';

/** Listed explicitly so migrations run the same from TypeScript, compiled JS and tests. */
export const MIGRATIONS: MigrationObject[] = [
  { name: 'Migration20261127000000_platform', class: Migration20261127000000_platform },
  { name: 'Migration20261127010000_world', class: Migration20261127010000_world },
  { name: 'Migration20261127020000_items', class: Migration20261127020000_items },
  { name: 'Migration20261127030000_inventory', class: Migration20261127030000_inventory },
  { name: 'Migration20261127040000_quests', class: Migration20261127040000_quests },
  { name: 'Migration20261127050000_llm_usage', class: Migration20261127050000_llm_usage },
  { name: 'Migration20261127060000_game_master', class: Migration20261127060000_game_master },
  { name: 'Migration20261127070000_npc_dialogue', class: Migration20261127070000_npc_dialogue },
];
