import { MikroOrmModule } from '@mikro-orm/nestjs';
import { Module } from '@nestjs/common';
import { EventsModule } from '../events/events.module';
import { InventoryModule } from '../inventory/inventory.module';
import { PlayersModule } from '../players/players.module';
import { QuestsModule } from '../quests/quests.module';
import { WorldModule } from '../world/world.module';
import { GameContextService } from './game-context.service';
import { GameMasterResolver } from './game-master.resolver';
import { GameMasterService } from './game-master.service';
import { AppliedToolCall, GameTurn, PlayerStory } from './game-turn.entity';
import { LocationDescriber } from './location-describer.service';
import { LocationNarrationResolver } from './location-narration.resolver';
import { NpcDialogueResolver } from './npc-dialogue.resolver';
import { NpcDialogueService } from './npc-dialogue.service';
import { NpcExchange } from './npc-exchange.entity';
import { StoryMemoryService } from './story-memory.service';
import { TurnApplier } from './turn-applier';

/**
 * The game master: turns (act, turns, narration), and what the dialogue, quest
 * writing and place descriptions share with them (GameContextService). The model
 * comes from the global LlmModule.
 */
@Module({
  imports: [
    MikroOrmModule.forFeature([GameTurn, AppliedToolCall, PlayerStory, NpcExchange]),
    EventsModule,
    PlayersModule,
    InventoryModule,
    WorldModule,
    QuestsModule,
  ],
  providers: [
    GameContextService,
    StoryMemoryService,
    TurnApplier,
    GameMasterService,
    GameMasterResolver,
    NpcDialogueService,
    NpcDialogueResolver,
    LocationDescriber,
    LocationNarrationResolver,
  ],
  exports: [GameContextService, NpcDialogueService],
})
export class GameMasterModule {}
