import { Args, Float, ID, Mutation, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import type { AuthUser } from '../../common/auth/auth-user';
import { CurrentUser } from '../../common/auth/decorators';
import { ParseIdPipe } from '../../common/errors/validation';
import { LoaderRegistry, Loaders } from '../../common/graphql/loaders';
import { RateLimit } from '../../common/rate-limit/rate-limit.decorator';
import type { ItemView } from '../items/item.view';
import { ItemModel } from '../items/item.type';
import type { PlayerView } from '../players/player.view';
import { PlayerModel } from '../players/player.type';
import type { LocationView, NpcView } from '../world/world.view';
import { LocationModel, NpcModel } from '../world/world.type';
import { isDone, Quest, QuestObjective } from './quest.entity';
import { ObjectiveKind, QuestStatus } from './quest.enums';
import { QUEST_LIMITS } from './quest-rules';
import {
  QuestModel,
  QuestObjectiveModel,
  QuestRewardItemModel,
  QuestRewardsModel,
} from './quest.type';
import { QuestsLoader } from './quests.loader';
import { QuestsService } from './quests.service';
import type { QuestView } from './quest.view';
import { DependsOn, ownCharacter } from '../../common/cache/operation-cache';
import { CacheTags } from '../../common/cache/cache-tags';

const QUEST_ID = { type: () => ID, description: 'The quest (one of your characters’).' };
const ERRORS =
  "A quest of someone else's character is NOT_FOUND; a malformed id BAD_USER_INPUT; the wrong status GAME_RULE_VIOLATION, with a message that says why.";

@Resolver(() => QuestModel)
export class QuestsResolver {
  constructor(private readonly questsService: QuestsService) {}

  @RateLimit('gm')
  @Mutation(() => QuestModel, {
    description: `The game master writes a new quest for one of your characters, from the world around it and the item catalogue, and offers it (status OFFERED; records QUEST_OFFERED). The server checks every proposal before saving it: real places, NPCs and items, sane quantities, rewards capped by level. At most ${QUEST_LIMITS.maxOffered} quests may be on offer at once (GAME_RULE_VIOLATION past that). A character that is not yours is NOT_FOUND.`,
  })
  generateQuest(
    @CurrentUser() user: AuthUser,
    @Args('playerId', { type: () => ID, description: 'The character (one of yours).' }, ParseIdPipe)
    playerId: string,
    @Args('hint', {
      type: () => String,
      nullable: true,
      description: `What the player would like, e.g. "something at the Elder Oak" or "wolf pelts" (at most ${QUEST_LIMITS.hintMax} characters; longer is BAD_USER_INPUT). Places, NPCs, items, enemies and words like hunt, explore, talk or collect steer the quest; it is a wish, not a command.`,
    })
    hint?: string | null,
  ): Promise<Quest> {
    return this.questsService.generate(user.id, playerId, hint);
  }

  @Mutation(() => QuestModel, {
    description: `Accepts an OFFERED quest: it becomes ACTIVE (records QUEST_STARTED). Items already held count towards COLLECT objectives at once; places must be reached after accepting. At most ${QUEST_LIMITS.maxActive} active quests per character. ${ERRORS}`,
  })
  acceptQuest(
    @CurrentUser() user: AuthUser,
    @Args('questId', QUEST_ID, ParseIdPipe) questId: string,
  ): Promise<Quest> {
    return this.questsService.accept(user.id, questId);
  }

  @Mutation(() => QuestModel, {
    description: `Declines an OFFERED quest or gives up an ACTIVE one: it becomes ABANDONED (records QUEST_ABANDONED); nothing is paid. ${ERRORS}`,
  })
  abandonQuest(
    @CurrentUser() user: AuthUser,
    @Args('questId', QUEST_ID, ParseIdPipe) questId: string,
  ): Promise<Quest> {
    return this.questsService.abandon(user.id, questId);
  }

  @Mutation(() => QuestModel, {
    description: `Completes an ACTIVE quest whose objectives are all done, and pays its rewards exactly once, also under concurrent calls (the others get GAME_RULE_VIOLATION): experience (with any level-ups), gold and items. Records QUEST_COMPLETED, then EXPERIENCE_GAINED, LEVEL_UP, GOLD_CHANGED and ITEM_ACQUIRED. COLLECT items are checked against the inventory at this moment and are kept, not handed in. A reward that does not fit the carrying capacity refuses the completion (GAME_RULE_VIOLATION; make room and retry). ${ERRORS}`,
  })
  completeQuest(
    @CurrentUser() user: AuthUser,
    @Args('questId', QUEST_ID, ParseIdPipe) questId: string,
  ): Promise<Quest> {
    return this.questsService.complete(user.id, questId);
  }

  @Query(() => [QuestModel], {
    description:
      "A character's quests, oldest first, optionally of one status. A character that is not yours is NOT_FOUND.",
  })
  quests(
    @CurrentUser() user: AuthUser,
    @Args('playerId', { type: () => ID, description: 'The character (one of yours).' }, ParseIdPipe)
    playerId: string,
    @Args('status', {
      type: () => QuestStatus,
      nullable: true,
      description: 'Only quests in this status; all when omitted.',
    })
    status?: QuestStatus | null,
  ): Promise<QuestView[]> {
    return this.questsService.listOwned(user.id, playerId, status);
  }

  @Query(() => QuestModel, {
    description: "One quest of one of your characters (NOT_FOUND for anyone else's).",
  })
  quest(
    @CurrentUser() user: AuthUser,
    @Args('id', QUEST_ID, ParseIdPipe) id: string,
  ): Promise<Quest> {
    return this.questsService.getOwned(user.id, id);
  }

  @DependsOn(() => [])
  @ResolveField(() => Float, {
    description:
      "How far along the quest is, from 0 to 1: the mean over the objectives of `min(current, required) / required`; 1 once completed. A COLLECT objective's share falls again when items are lost.",
  })
  progress(@Parent() quest: QuestView): number {
    if (quest.status === QuestStatus.COMPLETED) return 1;
    const shares = quest.objectives.map((o) => Math.min(o.current, o.required) / o.required);
    return shares.reduce((sum, share) => sum + share, 0) / Math.max(1, shares.length);
  }

  @DependsOn(() => [])
  @ResolveField(() => [QuestObjectiveModel], {
    description: 'What the quest asks for: 1 to 5 objectives, in order.',
  })
  objectives(@Parent() quest: QuestView): QuestObjectiveModel[] {
    return quest.objectives.map(toObjectiveModel);
  }

  @DependsOn(() => [])
  @ResolveField(() => QuestRewardsModel, { description: 'What completing the quest pays, once.' })
  rewards(@Parent() quest: QuestView): QuestRewardsModel {
    return quest.rewards;
  }
}

@Resolver(() => QuestObjectiveModel)
export class QuestObjectiveResolver {
  constructor(private readonly loader: QuestsLoader) {}

  @DependsOn(() => [CacheTags.world])
  @ResolveField(() => LocationModel, {
    nullable: true,
    description: 'VISIT: the location to reach.',
  })
  location(
    @Parent() objective: QuestObjectiveModel,
    @Loaders() loaders: LoaderRegistry,
  ): Promise<LocationView> | null {
    return objective.locationId
      ? this.loader.for(loaders).location.load(objective.locationId)
      : null;
  }

  @DependsOn(() => [CacheTags.items])
  @ResolveField(() => ItemModel, { nullable: true, description: 'COLLECT: the item to hold.' })
  item(
    @Parent() objective: QuestObjectiveModel,
    @Loaders() loaders: LoaderRegistry,
  ): Promise<ItemView> | null {
    return objective.itemId ? this.loader.for(loaders).item.load(objective.itemId) : null;
  }

  @DependsOn(() => [CacheTags.world])
  @ResolveField(() => NpcModel, { nullable: true, description: 'TALK: the NPC to talk to.' })
  npc(
    @Parent() objective: QuestObjectiveModel,
    @Loaders() loaders: LoaderRegistry,
  ): Promise<NpcView> | null {
    return objective.npcId ? this.loader.for(loaders).npc.load(objective.npcId) : null;
  }
}

@Resolver(() => QuestRewardItemModel)
export class QuestRewardItemResolver {
  constructor(private readonly loader: QuestsLoader) {}

  @DependsOn(() => [CacheTags.items])
  @ResolveField(() => ItemModel, { description: 'The catalogue item (its name, rarity …).' })
  item(
    @Parent() reward: QuestRewardItemModel,
    @Loaders() loaders: LoaderRegistry,
  ): Promise<ItemView> {
    return this.loader.for(loaders).item.load(reward.itemId);
  }
}

@Resolver(() => PlayerModel)
export class PlayerQuestsResolver {
  constructor(private readonly loader: QuestsLoader) {}

  @DependsOn(ownCharacter)
  @ResolveField(() => [QuestModel], {
    description: "This character's quests, oldest first, optionally of one status.",
  })
  quests(
    @Parent() player: PlayerView,
    @Loaders() loaders: LoaderRegistry,
    @Args('status', {
      type: () => QuestStatus,
      nullable: true,
      description: 'Only quests in this status; all when omitted.',
    })
    status?: QuestStatus | null,
  ): Promise<QuestView[]> {
    return this.loader.for(loaders).quests(status).load(player.id);
  }
}

function toObjectiveModel(objective: QuestObjective, index: number): QuestObjectiveModel {
  const base = {
    index,
    kind: objective.kind,
    description: objective.description,
    current: Math.min(objective.current, objective.required),
    required: objective.required,
    done: isDone(objective),
    locationId: null,
    itemId: null,
    npcId: null,
    enemyKind: null,
  };
  switch (objective.kind) {
    case ObjectiveKind.VISIT:
      return { ...base, locationId: objective.locationId };
    case ObjectiveKind.COLLECT:
      return { ...base, itemId: objective.itemId };
    case ObjectiveKind.TALK:
      return { ...base, npcId: objective.npcId };
    case ObjectiveKind.DEFEAT:
      return { ...base, enemyKind: objective.enemyKind };
  }
}
