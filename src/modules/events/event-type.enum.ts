import { registerEnumType } from '@nestjs/graphql';

/** Every kind of state change the server records. New kinds are added, never renamed. */
export enum EventType {
  PLAYER_CREATED = 'PLAYER_CREATED',
  PLAYER_DELETED = 'PLAYER_DELETED',
  TRAVELLED = 'TRAVELLED',
  EXPERIENCE_GAINED = 'EXPERIENCE_GAINED',
  LEVEL_UP = 'LEVEL_UP',
  GOLD_CHANGED = 'GOLD_CHANGED',
  ITEM_ACQUIRED = 'ITEM_ACQUIRED',
  ITEM_USED = 'ITEM_USED',
  ITEM_EQUIPPED = 'ITEM_EQUIPPED',
  ITEM_UNEQUIPPED = 'ITEM_UNEQUIPPED',
  ITEM_DROPPED = 'ITEM_DROPPED',
  ITEM_GIVEN = 'ITEM_GIVEN',
  QUEST_OFFERED = 'QUEST_OFFERED',
  QUEST_STARTED = 'QUEST_STARTED',
  QUEST_PROGRESS = 'QUEST_PROGRESS',
  QUEST_COMPLETED = 'QUEST_COMPLETED',
  QUEST_ABANDONED = 'QUEST_ABANDONED',
  NPC_TALKED = 'NPC_TALKED',
  ENEMY_DEFEATED = 'ENEMY_DEFEATED',
  COMBAT_STARTED = 'COMBAT_STARTED',
  HEALTH_CHANGED = 'HEALTH_CHANGED',
  MANA_CHANGED = 'MANA_CHANGED',
}

registerEnumType(EventType, {
  name: 'GameEventType',
  description: 'The kind of a game event. Clients should ignore kinds they do not know yet.',
  valuesMap: {
    PLAYER_CREATED: { description: 'A character was created.' },
    PLAYER_DELETED: { description: 'A character was deleted.' },
    TRAVELLED: {
      description:
        'A character walked along an exit; `data` is `{ from, to }` (location ids). Also published to `locationEvents` of both places.',
    },
    EXPERIENCE_GAINED: {
      description: 'Experience was earned; `data` is `{ amount, total, source }`.',
    },
    LEVEL_UP: {
      description:
        'A new level was reached; `data` is `{ level, maxHealth, maxMana, stats }` (health and mana are refilled).',
    },
    GOLD_CHANGED: {
      description: 'Gold was earned or spent; `data` is `{ amount, total, source }`.',
    },
    ITEM_ACQUIRED: {
      description:
        'Items were added to the inventory; `data` is `{ itemId, itemName, quantity, total, source }` (`source`: starterKit, give, quest …; a give also carries `fromPlayerId` and is published to `locationEvents`).',
    },
    ITEM_USED: {
      description:
        'One unit of a consumable was used; `data` is `{ itemId, itemName, remaining, effects }`, each effect as applied (`heal`/`restoreMana` with the amount actually restored after clamping).',
    },
    ITEM_EQUIPPED: {
      description:
        'An item was equipped; `data` is `{ itemId, itemName, slot, replacedItemId }` (`replacedItemId` is null when the slot was empty).',
    },
    ITEM_UNEQUIPPED: {
      description:
        'An item was taken off; `data` is `{ itemId, itemName, slot, reason }` (`reason`: unequip, replaced, dropped, given).',
    },
    ITEM_DROPPED: {
      description:
        'Items were dropped and are gone; `data` is `{ itemId, itemName, quantity, remaining }`.',
    },
    ITEM_GIVEN: {
      description:
        'Items were given to another character in the same place; `data` is `{ itemId, itemName, quantity, remaining, toPlayerId, toCharacterName, locationId }`. Also published to `locationEvents` of the place.',
    },
    QUEST_OFFERED: {
      description:
        'The game master offered a quest (generateQuest); `data` is `{ questId, title, type }`.',
    },
    QUEST_STARTED: {
      description: 'A quest was accepted and is now ACTIVE; `data` is `{ questId, title }`.',
    },
    QUEST_PROGRESS: {
      description:
        'An objective of an active quest moved (COLLECT objectives also move back when items are lost); `data` is `{ questId, objective, kind, current, required, done }` (`objective`: its index in `Quest.objectives`).',
    },
    QUEST_COMPLETED: {
      description:
        'A quest was completed and its rewards paid (recorded once per quest); `data` is `{ questId, title, rewards: { experience, gold, items: [{ itemId, itemName, quantity }] } }`. The payments follow as EXPERIENCE_GAINED, LEVEL_UP, GOLD_CHANGED and ITEM_ACQUIRED (`source`: quest).',
    },
    QUEST_ABANDONED: {
      description:
        'A quest was declined (from OFFERED) or given up (from ACTIVE); `data` is `{ questId, title, from }`.',
    },
    NPC_TALKED: {
      description:
        'A character talked to an NPC where it stands; `data` is `{ npcId, npcName }`. Advances TALK objectives.',
    },
    ENEMY_DEFEATED: {
      description:
        'A character defeated enemies; `data` is `{ enemyKind, count }` (`count` defaults to 1). Advances DEFEAT objectives.',
    },
    COMBAT_STARTED: {
      description:
        'The game master started a fight in a turn; `data` is `{ enemyKind, locationId, turnId }`. Encounters themselves come with combat.',
    },
    HEALTH_CHANGED: {
      description:
        'Health changed outside combat and items (a game-master turn); `data` is `{ amount, health, maxHealth, source }`, `amount` as applied after clamping.',
    },
    MANA_CHANGED: {
      description:
        'Mana changed outside items (a game-master turn); `data` is `{ amount, mana, maxMana, source }`, `amount` as applied after clamping.',
    },
  },
});
