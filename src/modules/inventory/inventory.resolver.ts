import { Args, Float, ID, Int, Mutation, Parent, ResolveField, Resolver } from '@nestjs/graphql';
import type { AuthUser } from '../../common/auth/auth-user';
import { CurrentUser } from '../../common/auth/decorators';
import { ParseIdPipe } from '../../common/errors/validation';
import { LoaderRegistry, Loaders } from '../../common/graphql/loaders';
import type { ItemView } from '../items/item.view';
import { EquipmentSlot } from '../items/item.enums';
import { ItemModel } from '../items/item.type';
import type { BaseStats } from '../players/character-class';
import type { Player } from '../players/player.entity';
import type { PlayerView } from '../players/player.view';
import { PlayerModel, StatsModel } from '../players/player.type';
import { MAX_STACK } from './inventory-entry.entity';
import type { InventoryEntryView } from './inventory-entry.view';
import { InventoryLoader } from './inventory.loader';
import { InventoryService } from './inventory.service';
import { InventoryEntryModel } from './inventory.type';
import {
  CARRY_BASE,
  CARRY_PER_STRENGTH,
  carryCapacity,
  effectiveStats,
  stackWeight,
} from './inventory-rules';
import { DependsOn, ownCharacter } from '../../common/cache/operation-cache';
import { CacheTags } from '../../common/cache/cache-tags';

const PLAYER_ID = { type: () => ID, description: 'The acting character (one of yours).' };
const ITEM_ID = { type: () => ID, description: 'The item (`Item.id`).' };
const QUANTITY = {
  type: () => Int,
  description: `How many: a whole number from 1 to ${MAX_STACK}; anything else is BAD_USER_INPUT.`,
};
const COMMON_ERRORS =
  'A character that is not yours is NOT_FOUND; a malformed id BAD_USER_INPUT; an unknown item NOT_FOUND; an item the character does not carry, or a character with no health left, GAME_RULE_VIOLATION. Concurrent calls on one character are applied one after another.';

@Resolver(() => InventoryEntryModel)
export class InventoryResolver {
  constructor(
    private readonly inventory: InventoryService,
    private readonly loader: InventoryLoader,
  ) {}

  @Mutation(() => PlayerModel, {
    description: `Equips an item the character carries in the item's slot (\`Item.slot\`); whatever was in that slot is taken off (one item per slot). Items without a slot, or one already equipped, are GAME_RULE_VIOLATION. Bonuses to maxHealth/maxMana raise the maxima without healing. Records ITEM_EQUIPPED (and ITEM_UNEQUIPPED for a replaced item). ${COMMON_ERRORS}`,
  })
  equipItem(
    @CurrentUser() user: AuthUser,
    @Args('playerId', PLAYER_ID, ParseIdPipe) playerId: string,
    @Args('itemId', ITEM_ID, ParseIdPipe) itemId: string,
  ): Promise<Player> {
    return this.inventory.equip(user.id, playerId, itemId);
  }

  @Mutation(() => PlayerModel, {
    description: `Takes off an equipped item; it stays in the inventory. An item that is not equipped is GAME_RULE_VIOLATION. Lower maxima pull health and mana down with them. Records ITEM_UNEQUIPPED. ${COMMON_ERRORS}`,
  })
  unequipItem(
    @CurrentUser() user: AuthUser,
    @Args('playerId', PLAYER_ID, ParseIdPipe) playerId: string,
    @Args('itemId', ITEM_ID, ParseIdPipe) itemId: string,
  ): Promise<Player> {
    return this.inventory.unequip(user.id, playerId, itemId);
  }

  @Mutation(() => PlayerModel, {
    description: `Uses one unit of a CONSUMABLE: exactly one is spent and its effects apply, \`heal\` and \`restoreMana\` clamped at maxHealth and maxMana (the unit is spent even at full health). Items with a \`buff\` effect only work during game-master turns and are GAME_RULE_VIOLATION here (nothing is spent), as is any item that is not a consumable. Records ITEM_USED with the effects as applied. ${COMMON_ERRORS}`,
  })
  useItem(
    @CurrentUser() user: AuthUser,
    @Args('playerId', PLAYER_ID, ParseIdPipe) playerId: string,
    @Args('itemId', ITEM_ID, ParseIdPipe) itemId: string,
  ): Promise<Player> {
    return this.inventory.use(user.id, playerId, itemId);
  }

  @Mutation(() => PlayerModel, {
    description: `Drops items; they are gone. More than the character carries is GAME_RULE_VIOLATION. Dropping a whole equipped stack takes it off first. Records ITEM_DROPPED. ${COMMON_ERRORS}`,
  })
  dropItem(
    @CurrentUser() user: AuthUser,
    @Args('playerId', PLAYER_ID, ParseIdPipe) playerId: string,
    @Args('itemId', ITEM_ID, ParseIdPipe) itemId: string,
    @Args('quantity', QUANTITY) quantity: number,
  ): Promise<Player> {
    return this.inventory.drop(user.id, playerId, itemId, quantity);
  }

  @Mutation(() => PlayerModel, {
    description: `Gives items to another character standing in the same location (anyone's); returns the giver. Another location, more than the giver carries, the receiver's carrying capacity or stack limit, or giving to oneself is GAME_RULE_VIOLATION; an unknown receiver NOT_FOUND. Giving a whole equipped stack takes it off first. Records ITEM_GIVEN on the giver and ITEM_ACQUIRED on the receiver, both also published to \`locationEvents\` of the place. ${COMMON_ERRORS}`,
  })
  giveItem(
    @CurrentUser() user: AuthUser,
    @Args('fromPlayerId', PLAYER_ID, ParseIdPipe) fromPlayerId: string,
    @Args(
      'toPlayerId',
      {
        type: () => ID,
        description: 'The receiving character: anyone standing in the same place.',
      },
      ParseIdPipe,
    )
    toPlayerId: string,
    @Args('itemId', ITEM_ID, ParseIdPipe) itemId: string,
    @Args('quantity', QUANTITY) quantity: number,
  ): Promise<Player> {
    return this.inventory.give(user.id, fromPlayerId, toPlayerId, itemId, quantity);
  }

  @DependsOn(() => [CacheTags.items])
  @ResolveField(() => ItemModel, { description: 'The catalogue item.' })
  item(@Parent() entry: InventoryEntryView, @Loaders() loaders: LoaderRegistry): Promise<ItemView> {
    return this.loader.for(loaders).item.load(entry.item.id);
  }

  @DependsOn(() => [])
  @ResolveField(() => Boolean, {
    description:
      'Whether one unit of this stack is worn, in `slot`; its stat bonuses then count in `Player.stats`.',
  })
  equipped(@Parent() entry: InventoryEntryView): boolean {
    return entry.equippedSlot != null;
  }

  @DependsOn(() => [])
  @ResolveField(() => EquipmentSlot, {
    nullable: true,
    description: 'The slot it is worn in; null when it is only carried.',
  })
  slot(@Parent() entry: InventoryEntryView): EquipmentSlot | null {
    return entry.equippedSlot ?? null;
  }
}

@Resolver(() => PlayerModel)
export class PlayerInventoryResolver {
  constructor(private readonly loader: InventoryLoader) {}

  @DependsOn(ownCharacter)
  @ResolveField(() => [InventoryEntryModel], {
    description: 'What the character carries: one stack per item, oldest first.',
  })
  inventory(
    @Parent() player: PlayerView,
    @Loaders() loaders: LoaderRegistry,
  ): Promise<InventoryEntryView[]> {
    return this.loader.for(loaders).inventory.load(player.id);
  }

  @DependsOn(ownCharacter)
  @ResolveField(() => StatsModel, {
    description:
      'Attributes: the base values plus the bonuses of equipped items, each at least 0. (maxHealth/maxMana bonuses are already in `maxHealth`/`maxMana`.)',
  })
  async stats(
    @Parent() player: PlayerView,
    @Loaders() loaders: LoaderRegistry,
  ): Promise<BaseStats> {
    const worn = await this.worn(player, loaders);
    return effectiveStats(player.stats, worn);
  }

  @DependsOn(ownCharacter)
  @ResolveField(() => Float, {
    description: 'Pounds carried: the weight of every unit in the inventory, worn ones included.',
  })
  async carryWeight(
    @Parent() player: PlayerView,
    @Loaders() loaders: LoaderRegistry,
  ): Promise<number> {
    const entries = await this.loader.for(loaders).inventory.load(player.id);
    return entries.reduce((sum, e) => sum + stackWeight(e.item.weight, e.quantity), 0) / 100;
  }

  @DependsOn(ownCharacter)
  @ResolveField(() => Int, {
    description: `Pounds the character can carry: ${CARRY_BASE} + ${CARRY_PER_STRENGTH} × stats.strength (equipment included). Gaining an item that would go past it is GAME_RULE_VIOLATION; dropping, using or giving is always allowed.`,
  })
  async carryCapacity(
    @Parent() player: PlayerView,
    @Loaders() loaders: LoaderRegistry,
  ): Promise<number> {
    const worn = await this.worn(player, loaders);
    return carryCapacity(effectiveStats(player.stats, worn).strength);
  }

  private async worn(player: PlayerView, loaders: LoaderRegistry) {
    const entries = await this.loader.for(loaders).inventory.load(player.id);
    return entries.filter((e) => e.equippedSlot).map((e) => e.item.stats);
  }
}
