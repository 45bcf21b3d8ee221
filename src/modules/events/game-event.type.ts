import { Field, ID, ObjectType } from '@nestjs/graphql';
import { GraphQLJSON } from 'graphql-scalars';
import { ConnectionType } from '../../common/graphql/connection';
import { EventType } from './event-type.enum';

@ObjectType('GameEvent', {
  description: 'Something that happened to a character; the log is append-only.',
})
export class GameEventModel {
  @Field(() => ID, { description: 'Unique, and increasing in the order events were recorded.' })
  id!: string;

  @Field(() => ID, { description: 'The character this event belongs to.' })
  playerId!: string;

  @Field(() => EventType, { description: 'What kind of event this is.' })
  type!: EventType;

  @Field({ description: 'A short human-readable summary, e.g. "Aria was created".' })
  name!: string;

  @Field(() => GraphQLJSON, { description: 'Details of the event; its shape depends on `type`.' })
  data!: Record<string, unknown>;

  @Field({ description: 'When the event was recorded.' })
  createdAt!: Date;
}

@ObjectType({ description: 'A page of game events, oldest first.' })
export class GameEventConnection extends ConnectionType(
  GameEventModel,
  'GameEvent',
  'game event',
) {}
