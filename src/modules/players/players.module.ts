import { MikroOrmModule } from '@mikro-orm/nestjs';
import { Module } from '@nestjs/common';
import { EventsModule } from '../events/events.module';
import { Player } from './player.entity';
import { PlayersResolver, UserPlayersResolver } from './players.resolver';
import { PlayersService } from './players.service';
import { EmptyStarterKit, STARTER_KIT } from './starter-kit';

@Module({
  imports: [MikroOrmModule.forFeature([Player]), EventsModule],
  providers: [
    PlayersService,
    PlayersResolver,
    UserPlayersResolver,
    { provide: STARTER_KIT, useClass: EmptyStarterKit },
  ],
  exports: [PlayersService],
})
export class PlayersModule {}
