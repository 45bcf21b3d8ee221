import { MikroOrmModule } from '@mikro-orm/nestjs';
import { Module } from '@nestjs/common';
import { ItemCatalogue } from './item-catalogue';
import { Item } from './item.entity';
import { ItemsResolver } from './items.resolver';
import { ItemsService } from './items.service';

@Module({
  imports: [MikroOrmModule.forFeature([Item])],
  providers: [ItemsService, ItemsResolver, ItemCatalogue],
  exports: [ItemsService, ItemCatalogue],
})
export class ItemsModule {}
