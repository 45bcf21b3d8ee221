import { registerEnumType } from '@nestjs/graphql';

export enum QuestStatus {
  OFFERED = 'OFFERED',
  ACTIVE = 'ACTIVE',
  COMPLETED = 'COMPLETED',
  FAILED = 'FAILED',
  ABANDONED = 'ABANDONED',
}

/** What a quest is mostly about; the server derives it from the objectives. */
export enum QuestType {
  FETCH = 'FETCH',
  EXPLORE = 'EXPLORE',
  SOCIAL = 'SOCIAL',
  HUNT = 'HUNT',
  MIXED = 'MIXED',
}

export enum ObjectiveKind {
  VISIT = 'VISIT',
  COLLECT = 'COLLECT',
  TALK = 'TALK',
  DEFEAT = 'DEFEAT',
}

registerEnumType(QuestStatus, {
  name: 'QuestStatus',
  description:
    'Where a quest stands. OFFERED → ACTIVE (acceptQuest) → COMPLETED (completeQuest); OFFERED or ACTIVE → ABANDONED (abandonQuest).',
  valuesMap: {
    OFFERED: { description: 'Written by the game master and waiting to be accepted or declined.' },
    ACTIVE: { description: 'Accepted: its objectives advance as the character plays.' },
    COMPLETED: { description: 'Handed in; the rewards were paid (once).' },
    FAILED: {
      description: 'Lost for good (reserved for quests with a deadline or a failure condition).',
    },
    ABANDONED: { description: 'Declined while offered, or given up while active.' },
  },
});

registerEnumType(QuestType, {
  name: 'QuestType',
  description:
    'What a quest is about, derived by the server from its objectives. VISIT objectives beside other kinds are the way there and do not change the type.',
  valuesMap: {
    FETCH: { description: 'Collect items (COLLECT objectives, maybe with places to reach).' },
    EXPLORE: { description: 'Only places to reach (VISIT objectives).' },
    SOCIAL: { description: 'Talk to people (TALK objectives, maybe with places to reach).' },
    HUNT: { description: 'Defeat enemies (DEFEAT objectives, maybe with places to reach).' },
    MIXED: { description: 'More than one of COLLECT, TALK and DEFEAT.' },
  },
});

registerEnumType(ObjectiveKind, {
  name: 'QuestObjectiveKind',
  description: 'What an objective asks for.',
  valuesMap: {
    VISIT: {
      description:
        'Arrive at a location (travel there after the quest was accepted; standing there already does not count).',
    },
    COLLECT: {
      description:
        'Hold a quantity of an item. Counts what is held, so it goes down again if items are dropped, given away or used; the items are kept when the quest is completed (not handed in).',
    },
    TALK: { description: 'Talk to an NPC.' },
    DEFEAT: { description: 'Defeat a number of enemies of one kind.' },
  },
});
