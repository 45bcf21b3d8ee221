import { registerEnumType } from '@nestjs/graphql';

/** Every kind of state change the server records. New kinds are added, never renamed. */
export enum EventType {
  PLAYER_CREATED = 'PLAYER_CREATED',
  PLAYER_DELETED = 'PLAYER_DELETED',
  TRAVELLED = 'TRAVELLED',
  EXPERIENCE_GAINED = 'EXPERIENCE_GAINED',
  LEVEL_UP = 'LEVEL_UP',
  GOLD_CHANGED = 'GOLD_CHANGED',
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
  },
});
