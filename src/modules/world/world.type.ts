import { Field, ID, ObjectType } from '@nestjs/graphql';
import { NpcRole } from './npc-role';

@ObjectType('Location', {
  description: 'A place on the map. Characters travel between places along their exits.',
})
export class LocationModel {
  @Field(() => ID, { description: 'Unique id: a lowercase slug such as `millbrook-square`.' })
  id!: string;

  @Field({ description: 'The name of the place.' })
  name!: string;

  @Field({ description: 'What a character sees on arrival.' })
  description!: string;

  @Field({ description: 'The region the place belongs to, e.g. "Whispering Woods".' })
  region!: string;
}

@ObjectType('Npc', { description: 'A non-player character, standing in one location.' })
export class NpcModel {
  @Field(() => ID, { description: 'Unique id: a lowercase slug such as `marta-hollowell`.' })
  id!: string;

  @Field({ description: 'The name the NPC goes by.' })
  name!: string;

  @Field({ description: 'A short persona: who they are and what they want.' })
  description!: string;

  @Field(() => NpcRole, { description: 'What the NPC does for travellers.' })
  role!: NpcRole;
}
