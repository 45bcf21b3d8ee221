import { Field, ID, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { GraphQLJSON } from 'graphql-scalars';
import { ConnectionType } from '../../common/graphql/connection';
import { TurnSource } from './game-turn.entity';

registerEnumType(TurnSource, {
  name: 'TurnSource',
  description: 'Who wrote a turn.',
  valuesMap: {
    MODEL: { description: 'The language model configured for the server.' },
    OFFLINE: {
      description: 'The offline game master: no model is configured (the embedded default).',
    },
    FALLBACK: {
      description:
        'The offline game master, standing in because the model was down, slow, rate-limited, over budget, or answered with something unusable.',
    },
  },
});

@ObjectType('GameEffect', {
  description:
    'A change the game master proposed and the server applied (its events are on `gameEvents`).',
})
export class GameEffectModel {
  @Field({ description: 'The id of the tool call that proposed it (unique in its turn).' })
  toolCallId!: string;

  @Field({
    description:
      'The tool: grant_experience, change_health, change_mana, change_gold, give_item, take_item, use_item, travel, talk_to_npc, advance_quest_objective, offer_quest or start_combat.',
  })
  tool!: string;

  @Field(() => GraphQLJSON, { name: 'arguments', description: 'The arguments, as checked.' })
  args!: Record<string, unknown>;

  @Field(() => GraphQLJSON, {
    description: 'What it did, e.g. `{ amount, experience, level }` or `{ from, to }`.',
  })
  result!: Record<string, unknown>;
}

@ObjectType('RejectedProposal', {
  description: 'A change the game master proposed and the rules refused: nothing of it happened.',
})
export class RejectedProposalModel {
  @Field({ description: 'The id of the tool call (shortened; empty for a summary line).' })
  toolCallId!: string;

  @Field({ description: 'The tool name as proposed (it may not exist).' })
  tool!: string;

  @Field({
    name: 'arguments',
    description: 'The raw arguments as proposed, shortened to 200 characters.',
  })
  args!: string;

  @Field({ description: 'Why the server refused it.' })
  reason!: string;
}

@ObjectType('GameTurn', {
  description:
    'One turn of the story: what the player did, what the game master narrated, and what the server applied or refused.',
})
export class GameTurnModel {
  @Field(() => ID, { description: 'Unique id (UUID); narration chunks carry it as `turnId`.' })
  id!: string;

  @Field(() => Int, { description: "Position in the character's story, from 1." })
  sequence!: number;

  @Field({ description: 'What the player said or did, as stored (trimmed, NFC).' })
  input!: string;

  @Field({ description: 'The story of this turn (the concatenated narration chunks).' })
  narrative!: string;

  @Field(() => [GameEffectModel], { description: 'The changes applied, in order.' })
  effects!: GameEffectModel[];

  @Field(() => [RejectedProposalModel], {
    description: 'The proposals the rules refused, each with the reason.',
  })
  rejected!: RejectedProposalModel[];

  @Field(() => [String], { description: 'Things the player could try next.' })
  suggestions!: string[];

  @Field(() => TurnSource, { description: 'Who wrote the turn.' })
  source!: TurnSource;

  @Field(() => String, {
    nullable: true,
    description: 'The model that wrote it (`offline` for the offline game master).',
  })
  model?: string | null;

  @Field(() => Int, { description: 'Prompt tokens spent on the turn (repairs included).' })
  promptTokens!: number;

  @Field(() => Int, { description: 'Completion tokens spent on the turn.' })
  completionTokens!: number;

  @Field(() => Int, { description: 'Milliseconds from the request to the committed turn.' })
  latencyMs!: number;

  @Field({ description: 'When the turn was played.' })
  createdAt!: Date;
}

@ObjectType('GameTurnConnection', { description: 'A page of turns, oldest first.' })
export class GameTurnConnection extends ConnectionType(GameTurnModel, 'GameTurn', 'turn') {}

@ObjectType('NarrationChunk', {
  description:
    "A piece of a turn's narrative as the game master writes it. Chunks of a turn arrive in order; their deltas (after the last `reset`) concatenate to `GameTurn.narrative`; the last chunk has `done: true`.",
})
export class NarrationChunkModel {
  @Field(() => ID, { description: 'The turn (`GameTurn.id`, also returned by `act`).' })
  turnId!: string;

  @Field({ description: 'The next piece of text (empty on `done` and `reset` chunks).' })
  delta!: string;

  @Field({ description: 'True on the last chunk of the turn.' })
  done!: boolean;

  @Field({
    description:
      'True when the text sent so far for this turn is void (the model failed mid-stream and another answer follows): clear it.',
  })
  reset!: boolean;
}
