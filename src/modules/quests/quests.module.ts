import { MikroOrmModule } from '@mikro-orm/nestjs';
import { Module } from '@nestjs/common';
import { EventsModule } from '../events/events.module';
import { InventoryModule } from '../inventory/inventory.module';
import { Item } from '../items/item.entity';
import { Player } from '../players/player.entity';
import { PlayersModule } from '../players/players.module';
import { Location } from '../world/location.entity';
import { LocationExit } from '../world/location-exit.entity';
import { Npc } from '../world/npc.entity';
import { BuiltInQuestGenerator } from './built-in-quest.generator';
import { QUEST_GENERATOR } from './quest-generator';
import { QuestProgressService } from './quest-progress.service';
import { Quest } from './quest.entity';
import { QuestsLoader } from './quests.loader';
import {
  PlayerQuestsResolver,
  QuestObjectiveResolver,
  QuestRewardItemResolver,
  QuestsResolver,
} from './quests.resolver';
import { QuestsService } from './quests.service';

@Module({
  imports: [
    MikroOrmModule.forFeature([Quest, Player, Location, LocationExit, Npc, Item]),
    EventsModule,
    PlayersModule,
    InventoryModule,
  ],
  providers: [
    QuestsService,
    QuestProgressService,
    QuestsLoader,
    QuestsResolver,
    QuestObjectiveResolver,
    QuestRewardItemResolver,
    PlayerQuestsResolver,
    // The game-master issue replaces this with a model-backed generator; the validator stays.
    { provide: QUEST_GENERATOR, useClass: BuiltInQuestGenerator },
  ],
  exports: [QuestsService],
})
export class QuestsModule {}
