import { ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard as PassportAuthGuard } from '@nestjs/passport';
import { forbidden, unauthenticated } from '../errors/domain-error';
import type { Role } from '../../modules/auth/role.enum';
import type { AuthUser } from './auth-user';
import { IS_PUBLIC, REQUIRED_ROLES, requestOf } from './decorators';

/**
 * The one guard, global: HTTP routes, queries, mutations and graphql-ws
 * subscriptions all pass through the same JWT strategy.
 */
@Injectable()
export class AuthGuard extends PassportAuthGuard('jwt') {
  constructor(private readonly reflector: Reflector) {
    super();
  }

  override getRequest(context: ExecutionContext) {
    return requestOf(context);
  }

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;
    await super.canActivate(context);
    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(REQUIRED_ROLES, targets);
    const user = requestOf(context).user;
    if (roles?.length && (!user || !roles.includes(user.role))) throw forbidden();
    return true;
  }

  override handleRequest<TUser = AuthUser>(err: unknown, user: TUser | false): TUser {
    if (err) throw err;
    if (!user) throw unauthenticated();
    return user;
  }
}
