import { Args, ID, Mutation, Query, Resolver } from '@nestjs/graphql';
import { Public, Roles } from '../../common/auth/decorators';
import { CacheResult } from '../../common/cache/cache-result';
import { CacheTags } from '../../common/cache/cache-tags';
import { ParseIdPipe } from '../../common/errors/validation';
import type { Connection } from '../../common/graphql/connection';
import { Role } from '../auth/role.enum';
import { CreateItemInput } from './dto/create-item.input';
import { ItemsArgs } from './dto/items.args';
import type { Item } from './item.entity';
import { ItemConnection, ItemModel } from './item.type';
import { ItemsService } from './items.service';

@Resolver(() => ItemModel)
export class ItemsResolver {
  constructor(private readonly catalogue: ItemsService) {}

  @Public()
  @CacheResult({ ttl: 600, scope: 'public', tags: () => [CacheTags.items] })
  @Query(() => ItemConnection, {
    description:
      'The item catalogue, ordered by name (case-insensitive) then id; open to everyone. A malformed `after` is BAD_USER_INPUT.',
  })
  items(@Args() args: ItemsArgs): Promise<Connection<Item>> {
    return this.catalogue.page(args.filter, args.first, args.after);
  }

  @Public()
  @CacheResult({ ttl: 600, scope: 'public', tags: () => [CacheTags.items] })
  @Query(() => ItemModel, {
    description: 'One catalogue item; open to everyone. An unknown id is NOT_FOUND.',
  })
  item(@Args('id', { type: () => ID }, ParseIdPipe) id: string): Promise<Item> {
    return this.catalogue.get(id);
  }

  @Roles(Role.ADMIN)
  @Mutation(() => ItemModel, {
    description:
      'Adds an item to the catalogue (admins only: FORBIDDEN otherwise). A taken name, in any case, is CONFLICT.',
  })
  createItem(@Args('input') input: CreateItemInput): Promise<Item> {
    return this.catalogue.create(input);
  }
}
