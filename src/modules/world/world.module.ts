import { MikroOrmModule } from '@mikro-orm/nestjs';
import { Module } from '@nestjs/common';
import { EventsModule } from '../events/events.module';
import { Player } from '../players/player.entity';
import { Location } from './location.entity';
import { LocationExit } from './location-exit.entity';
import { Npc } from './npc.entity';
import { WorldLoader } from './world.loader';
import { PlayerLocationResolver, WorldResolver } from './world.resolver';
import { WorldService } from './world.service';

@Module({
  imports: [MikroOrmModule.forFeature([Location, LocationExit, Npc, Player]), EventsModule],
  providers: [WorldService, WorldLoader, WorldResolver, PlayerLocationResolver],
  exports: [WorldService],
})
export class WorldModule {}
