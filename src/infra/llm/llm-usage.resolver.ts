import { Parent, ResolveField, Resolver } from '@nestjs/graphql';
import type { AuthUser } from '../../common/auth/auth-user';
import { CurrentUser } from '../../common/auth/decorators';
import { forbidden } from '../../common/errors/domain-error';
import { UserModel } from '../../modules/auth/auth.type';
import { Role } from '../../modules/auth/role.enum';
import { LlmUsageService } from './llm-usage.service';
import { LlmUsageModel } from './llm-usage.type';

@Resolver(() => UserModel)
export class LlmUsageResolver {
  constructor(private readonly usage: LlmUsageService) {}

  @ResolveField('llmUsage', () => LlmUsageModel, {
    description: "The account's model usage today and in total, and its daily token budget.",
  })
  llmUsage(@Parent() user: UserModel, @CurrentUser() current: AuthUser): Promise<LlmUsageModel> {
    if (user.id !== current.id && current.role !== Role.ADMIN) {
      throw forbidden("Another account's usage is not yours to read");
    }
    return this.usage.report(user.id);
  }
}
