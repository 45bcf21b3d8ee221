import { MikroOrmModule } from '@mikro-orm/nestjs';
import { Module } from '@nestjs/common';
import { EventsModule } from '../events/events.module';
import { InventoryModule } from '../inventory/inventory.module';
import { Player } from './player.entity';
import { PlayersResolver, UserPlayersResolver } from './players.resolver';
import { PlayersService } from './players.service';
import { ProgressionService } from './progression.service';

@Module({
  // InventoryModule provides STARTER_KIT (3 Health Potions and the class weapon).
  imports: [MikroOrmModule.forFeature([Player]), EventsModule, InventoryModule],
  providers: [PlayersService, ProgressionService, PlayersResolver, UserPlayersResolver],
  exports: [PlayersService, ProgressionService],
})
export class PlayersModule {}
