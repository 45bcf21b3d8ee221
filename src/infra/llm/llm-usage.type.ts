import { Field, Int, ObjectType } from '@nestjs/graphql';

@ObjectType('LlmUsageCounts', { description: 'Model usage over a period.' })
export class LlmUsageCountsModel {
  @Field(() => Int, { description: 'Model calls answered by the provider.' })
  requests!: number;

  @Field(() => Int, { description: 'Tokens sent to the model (prompts).' })
  promptTokens!: number;

  @Field(() => Int, { description: 'Tokens the model wrote.' })
  completionTokens!: number;

  @Field(() => Int, {
    description: 'Answers served from the cache (descriptions, one-off texts): no tokens spent.',
  })
  cacheHits!: number;
}

@ObjectType('LlmUsage', {
  description:
    "The account's use of the game master's model. Over the daily budget, turns are answered by the offline game master.",
})
export class LlmUsageModel {
  @Field(() => LlmUsageCountsModel, { description: 'Usage on the current UTC day.' })
  today!: LlmUsageCountsModel;

  @Field(() => LlmUsageCountsModel, { description: 'Usage since the account was created.' })
  total!: LlmUsageCountsModel;

  @Field(() => Int, {
    description:
      'Tokens (prompt plus completion) the account may spend per UTC day; 0 is unlimited.',
  })
  dailyTokenBudget!: number;

  @Field(() => Int, {
    nullable: true,
    description: 'Tokens left today; null when the budget is unlimited.',
  })
  remainingTokensToday!: number | null;
}
