import { registerEnumType } from '@nestjs/graphql';

/** What an NPC does for travellers; the game master picks lines and offers by it. */
export enum NpcRole {
  MERCHANT = 'MERCHANT',
  QUEST_GIVER = 'QUEST_GIVER',
  INNKEEPER = 'INNKEEPER',
  BLACKSMITH = 'BLACKSMITH',
  GUARD = 'GUARD',
  HEALER = 'HEALER',
  HUNTER = 'HUNTER',
  SAGE = 'SAGE',
}

registerEnumType(NpcRole, {
  name: 'NpcRole',
  description: 'What an NPC does in the world. Clients should ignore roles they do not know yet.',
  valuesMap: {
    MERCHANT: { description: 'Buys and sells goods.' },
    QUEST_GIVER: { description: 'Has work for adventurers.' },
    INNKEEPER: { description: 'Offers food, drink, a bed and rumours.' },
    BLACKSMITH: { description: 'Forges and mends weapons and armour.' },
    GUARD: { description: 'Keeps the peace.' },
    HEALER: { description: 'Tends wounds and sickness.' },
    HUNTER: { description: 'Knows the wild: trails, beasts and pelts.' },
    SAGE: { description: 'Keeper of lore, riddles and strange knowledge.' },
  },
});
