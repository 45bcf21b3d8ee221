import { Field, ID, Int, ObjectType } from '@nestjs/graphql';
import { MAX_STACK } from './inventory-entry.entity';

@ObjectType('InventoryEntry', {
  description: `A stack of one item carried by a character (one stack per item, 1 to ${MAX_STACK} units).`,
})
export class InventoryEntryModel {
  @Field(() => ID, { description: 'Unique id (UUID) of this stack.' })
  id!: string;

  @Field(() => Int, { description: `How many are carried: 1 to ${MAX_STACK}.` })
  quantity!: number;
  // item, equipped and slot are resolved fields (inventory.resolver.ts).
}
