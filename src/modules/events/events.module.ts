import { MikroOrmModule } from '@mikro-orm/nestjs';
import { Module } from '@nestjs/common';
import { GameEvent } from './game-event.entity';
import { EventsLoader } from './events.loader';
import { EventsResolver } from './events.resolver';
import { EventsService } from './events.service';

@Module({
  imports: [MikroOrmModule.forFeature([GameEvent])],
  providers: [EventsService, EventsLoader, EventsResolver],
  exports: [EventsService],
})
export class EventsModule {}
