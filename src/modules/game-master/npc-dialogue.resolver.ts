import { Args, ID, Mutation, Resolver } from '@nestjs/graphql';
import type { AuthUser } from '../../common/auth/auth-user';
import { CurrentUser } from '../../common/auth/decorators';
import { ParseIdPipe, ParseSlugPipe } from '../../common/errors/validation';
import { NPC_MESSAGE_MAX } from './npc-exchange.entity';
import { NpcDialogueService } from './npc-dialogue.service';
import { NpcReplyModel, NpcReplyView } from './npc-dialogue.type';

@Resolver(() => NpcReplyModel)
export class NpcDialogueResolver {
  constructor(private readonly dialogue: NpcDialogueService) {}

  @Mutation(() => NpcReplyModel, {
    description: `One of your characters says something to an NPC where it stands, and the NPC answers in character: from its persona, the character's standing with it and their last exchanges (the model writes the answer when one is configured; otherwise, or when the model fails, the offline game master does, see \`source\`). Words only: the one state change is an NPC_TALKED event, which advances TALK quest objectives. An NPC elsewhere, or a character with no health left, is GAME_RULE_VIOLATION; an unknown NPC, or a character that is not yours, NOT_FOUND; an empty message, or one over ${NPC_MESSAGE_MAX} characters, BAD_USER_INPUT.`,
  })
  async talkToNpc(
    @CurrentUser() user: AuthUser,
    @Args(
      'playerId',
      { type: () => ID, description: 'The character who speaks (one of yours).' },
      ParseIdPipe,
    )
    playerId: string,
    @Args(
      'npcId',
      {
        type: () => ID,
        description: 'The NPC spoken to, e.g. `elder-rowan-ashby`: one where the character stands.',
      },
      ParseSlugPipe,
    )
    npcId: string,
    @Args('message', {
      type: () => String,
      description: `What the character says (1 to ${NPC_MESSAGE_MAX} characters, spaces collapsed).`,
    })
    message: string,
  ): Promise<NpcReplyView> {
    const { exchange, npc, player, suggestions } = await this.dialogue.talk(
      user.id,
      playerId,
      npcId,
      message,
    );
    return {
      id: exchange.id,
      npc,
      message: exchange.message,
      reply: exchange.reply,
      source: exchange.source,
      model: exchange.model ?? null,
      suggestions,
      player,
      createdAt: exchange.createdAt,
    };
  }
}
