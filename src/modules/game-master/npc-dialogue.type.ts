import { Field, ID, ObjectType, registerEnumType } from '@nestjs/graphql';
import type { Player } from '../players/player.entity';
import { PlayerModel } from '../players/player.type';
import type { Npc } from '../world/npc.entity';
import { NpcModel } from '../world/world.type';
import { NpcReplySource } from './npc-exchange.entity';

registerEnumType(NpcReplySource, {
  name: 'NpcReplySource',
  description: 'Who wrote an NPC reply. Clients should ignore sources they do not know yet.',
  valuesMap: {
    MODEL: { description: 'The language model, in the voice of the NPC.' },
    OFFLINE: {
      description: 'The offline game master (no model configured): a template with real state.',
    },
    FALLBACK: {
      description:
        'The offline game master standing in for a model that failed, was too slow or said nothing usable.',
    },
  },
});

@ObjectType('NpcReply', {
  description:
    'What an NPC said back. Words only: talking never changes the game state except for the NPC_TALKED event it records (which advances TALK quest objectives).',
})
export class NpcReplyModel {
  @Field(() => ID, { description: 'The id of this exchange (UUID).' })
  id!: string;

  @Field(() => NpcModel, { description: 'The NPC who answered.' })
  npc!: NpcModel;

  @Field({ description: 'What the player said, as stored (trimmed, spaces collapsed).' })
  message!: string;

  @Field({ description: "The NPC's answer." })
  reply!: string;

  @Field(() => NpcReplySource, { description: 'Who wrote the reply.' })
  source!: NpcReplySource;

  @Field(() => String, {
    nullable: true,
    description: 'The model that wrote the reply; null when the offline game master did.',
  })
  model?: string | null;

  @Field(() => [String], { description: 'Things the player might say next.' })
  suggestions!: string[];

  @Field(() => PlayerModel, {
    description: 'The character after the exchange (quests show any TALK objective it advanced).',
  })
  player!: PlayerModel;

  @Field({ description: 'When the exchange happened.' })
  createdAt!: Date;
}

/** What the resolver returns: the entities, resolved further by their own field resolvers. */
export type NpcReplyView = Omit<NpcReplyModel, 'npc' | 'player'> & { npc: Npc; player: Player };
