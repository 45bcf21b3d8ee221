import { createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import { GqlExecutionContext } from '@nestjs/graphql';
import type { Role } from '../../modules/auth/role.enum';
import { unauthenticated } from '../errors/domain-error';
import type { AuthUser } from './auth-user';

export const IS_PUBLIC = 'auth:isPublic';
export const REQUIRED_ROLES = 'auth:roles';

/** Marks one of the few operations open without an access token. */
export const Public = () => SetMetadata(IS_PUBLIC, true);

/** Restricts an operation to the given roles (on top of being signed in). */
export const Roles = (...roles: Role[]) => SetMetadata(REQUIRED_ROLES, roles);

/** The request of an HTTP call or of a graphql-ws operation (see graphql.options.ts). */
export function requestOf(context: ExecutionContext): {
  user?: AuthUser;
  headers?: Record<string, unknown>;
} {
  if (context.getType<string>() === 'graphql') {
    return GqlExecutionContext.create(context).getContext().req;
  }
  return context.switchToHttp().getRequest();
}

/** The signed-in user; the guard has already refused anonymous calls. */
export const CurrentUser = createParamDecorator(
  (_: unknown, context: ExecutionContext): AuthUser => {
    const user = requestOf(context).user;
    if (!user) throw unauthenticated();
    return user;
  },
);
