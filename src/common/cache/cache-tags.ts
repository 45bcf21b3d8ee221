import type { ChangeSet } from '@mikro-orm/core';

/**
 * What cached reads depend on, and which database changes touch it. A change
 * committed to one of these entities ends every cached read that named the tag
 * (see CacheInvalidation), whichever code path made it.
 */
export const CacheTags = {
  /** The item catalogue (items, item). */
  items: 'items',
  /** Locations, their exits and NPCs: reference data. */
  world: 'world',
  /** Who stands at a location (Location.playersHere). */
  playersAt: (locationId: string) => `players-at:${locationId}`,
  /** A character as its owner reads it: its row, inventory and quests. */
  player: (playerId: string) => `player:${playerId}`,
} as const;

type Rule = (change: ChangeSet<Record<string, unknown>>) => string[];

/** What other users see of a character (PlayerSummary), plus where and whether it stands. */
const PUBLIC_PLAYER_FIELDS = [
  'characterName',
  'characterClass',
  'level',
  'locationId',
  'deletedAt',
];

export const INVALIDATION_RULES: Record<string, Rule> = {
  Item: () => [CacheTags.items],
  Location: () => [CacheTags.world],
  LocationExit: () => [CacheTags.world],
  Npc: () => [CacheTags.world],
  Player: (change) => {
    const own = ownerTags(change.entity.id);
    if (
      change.type === 'update' &&
      !PUBLIC_PLAYER_FIELDS.some((field) => change.payload && field in change.payload)
    )
      return own;
    // The place it left (as loaded) and the place it stands now.
    const places = [change.originalEntity?.locationId, change.entity.locationId];
    return [
      ...own,
      ...places.filter((id): id is string => typeof id === 'string').map(CacheTags.playersAt),
    ];
  },
  InventoryEntry: (change) => ownerTags(change.entity.player),
  Quest: (change) => ownerTags(change.entity.player),
};

/** The owner's tag, from a character id or a reference to one. */
function ownerTags(player: unknown): string[] {
  const id = typeof player === 'string' ? player : (player as { id?: unknown } | undefined)?.id;
  return typeof id === 'string' ? [CacheTags.player(id)] : [];
}
