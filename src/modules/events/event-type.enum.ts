import { registerEnumType } from '@nestjs/graphql';

/** Every kind of state change the server records. New kinds are added, never renamed. */
export enum EventType {
  PLAYER_CREATED = 'PLAYER_CREATED',
  PLAYER_DELETED = 'PLAYER_DELETED',
}

registerEnumType(EventType, {
  name: 'GameEventType',
  description: 'The kind of a game event. Clients should ignore kinds they do not know yet.',
  valuesMap: {
    PLAYER_CREATED: { description: 'A character was created.' },
    PLAYER_DELETED: { description: 'A character was deleted.' },
  },
});
