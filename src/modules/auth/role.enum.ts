import { registerEnumType } from '@nestjs/graphql';

export enum Role {
  PLAYER = 'PLAYER',
  ADMIN = 'ADMIN',
}

registerEnumType(Role, {
  name: 'Role',
  description: 'What an account may do.',
  valuesMap: {
    PLAYER: { description: 'Plays its own characters.' },
    ADMIN: { description: 'Also manages the item catalogue and other reference data.' },
  },
});
