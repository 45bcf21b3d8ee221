import { MikroOrmModule } from '@mikro-orm/nestjs';
import { Module } from '@nestjs/common';
import { EventsModule } from '../events/events.module';
import { ModelQuestGenerator } from '../game-master/model-quest.generator';
import { InventoryModule } from '../inventory/inventory.module';
import { Item } from '../items/item.entity';
import { ItemsModule } from '../items/items.module';
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
    ItemsModule,
  ],
  providers: [
    QuestsService,
    QuestProgressService,
    QuestsLoader,
    QuestsResolver,
    QuestObjectiveResolver,
    QuestRewardItemResolver,
    PlayerQuestsResolver,
    BuiltInQuestGenerator,
    // The model writes quests when one is configured (LlmModule is global, so no module cycle);
    // the built-in generator answers otherwise, and whenever the model's proposal is refused.
    { provide: QUEST_GENERATOR, useClass: ModelQuestGenerator },
  ],
  exports: [QuestsService],
})
export class QuestsModule {}
