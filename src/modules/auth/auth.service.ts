import { LockMode, UniqueConstraintViolationException } from '@mikro-orm/core';
import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import type { AuthUser } from '../../common/auth/auth-user';
import { InjectConfig } from '../../config/config.module';
import type { AppConfig } from '../../config/env';
import { AppCache } from '../../infra/cache/app-cache';
import { EventBus } from '../../infra/pubsub/event-bus';
import { InjectEventBus } from '../../infra/pubsub/pubsub.module';
import { AuthErrors } from './auth.errors';
import { LoginInput, RegisterInput } from './dto/register.input';
import { PasswordHasher } from './password-hasher';
import { Role } from './role.enum';
import { RefreshToken, Session } from './session.entity';
import { SessionRevoked, sessionRevokedTopic } from './session-events';
import { AccessTokenClaims, hashRefreshToken, isAccessClaims, newRefreshToken } from './tokens';
import { User } from './user.entity';
import { UserRepository } from './user.repository';

export interface IssuedTokens {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
  user: User;
}

/**
 * Two keys, checked revoked-first: a late "active" write racing a logout can
 * then never hide the revocation.
 */
const revokedKey = (sessionId: string) => `session:revoked:${sessionId}`;
const activeKey = (sessionId: string) => `session:active:${sessionId}`;
/** How long "this session is live" may be served from cache; logout overwrites it at once. */
const ACTIVE_SESSION_CACHE_MS = 60_000;
/** Access tokens whose signature this process checked (cleared when full). */
const MAX_VERIFIED_TOKENS = 10_000;

@Injectable()
export class AuthService {
  private readonly verified = new Map<string, { claims: unknown; expiresAtMs: number }>();

  constructor(
    private readonly em: EntityManager,
    private readonly users: UserRepository,
    private readonly jwt: JwtService,
    private readonly hasher: PasswordHasher,
    private readonly cache: AppCache,
    @InjectConfig() private readonly config: AppConfig,
    @InjectEventBus() private readonly bus: EventBus,
  ) {}

  async register(input: RegisterInput): Promise<IssuedTokens> {
    const email = input.email.toLowerCase();
    if (await this.users.findByLogin(input.username)) throw AuthErrors.usernameTaken();
    if (await this.users.findOne({ email })) throw AuthErrors.emailTaken();
    const passwordHash = await this.hasher.hash(input.password);
    try {
      return await this.em.transactional(async (tx) => {
        const user = tx.create(User, {
          username: input.username,
          email,
          passwordHash,
          role: Role.PLAYER,
          createdAt: new Date(),
        });
        return this.openSession(tx, user);
      });
    } catch (error) {
      // Lost a race with an identical registration: the unique indexes decide.
      // The constraint's name tells which (the message also holds the insert's column list).
      if (error instanceof UniqueConstraintViolationException) {
        const constraint =
          (error as { constraint?: string }).constraint ??
          /constraint "([^"]+)"/.exec(error.message)?.[1] ??
          '';
        throw constraint.includes('email') ? AuthErrors.emailTaken() : AuthErrors.usernameTaken();
      }
      throw error;
    }
  }

  async login(input: LoginInput): Promise<IssuedTokens> {
    const user = await this.users.findByLogin(input.login);
    const valid = user
      ? await this.hasher.verify(user.passwordHash, input.password)
      : await this.hasher.verifyNothing(input.password);
    if (!user || !valid) throw AuthErrors.invalidCredentials();
    return this.em.transactional(async (tx) => this.openSession(tx, user));
  }

  /**
   * Rotates a refresh token. A token presented twice means it leaked (or was
   * raced): the whole session is revoked, for the thief and the owner alike.
   */
  async refresh(refreshToken: string): Promise<IssuedTokens> {
    const outcome = await this.em.transactional(async (tx) => {
      const presented = await tx.findOne(
        RefreshToken,
        { tokenHash: hashRefreshToken(refreshToken) },
        { lockMode: LockMode.PESSIMISTIC_WRITE },
      );
      if (!presented) return { kind: 'invalid' as const };
      const session = await tx.findOneOrFail(Session, presented.session.id, {
        lockMode: LockMode.PESSIMISTIC_WRITE,
      });
      if (!session.isActive()) return { kind: 'invalid' as const };
      if (presented.usedAt) {
        revoke(session, 'REFRESH_TOKEN_REUSE');
        return { kind: 'reused' as const, sessionId: session.id };
      }
      presented.usedAt = new Date();
      const user = await tx.findOneOrFail(User, session.user.id);
      return { kind: 'rotated' as const, tokens: this.rotate(tx, session, user) };
    });
    if (outcome.kind === 'rotated') return outcome.tokens;
    if (outcome.kind === 'reused') await this.markRevoked(outcome.sessionId);
    throw AuthErrors.invalidRefreshToken();
  }

  /**
   * Ends the live session the refresh token belongs to, if it is one of this
   * user's. A spent token is treated as the leak it is: the session ends as
   * reuse and the call is refused, like any spent, revoked or forged token.
   */
  async logout(caller: AuthUser, refreshToken: string): Promise<boolean> {
    const outcome = await this.em.transactional(async (tx) => {
      const token = await tx.findOne(
        RefreshToken,
        { tokenHash: hashRefreshToken(refreshToken) },
        { lockMode: LockMode.PESSIMISTIC_WRITE },
      );
      if (!token) return null;
      const session = await tx.findOneOrFail(Session, token.session.id, {
        lockMode: LockMode.PESSIMISTIC_WRITE,
      });
      if (session.user.id !== caller.id || !session.isActive()) return null;
      revoke(session, token.usedAt ? 'REFRESH_TOKEN_REUSE' : 'LOGOUT');
      return { sessionId: session.id, loggedOut: !token.usedAt };
    });
    if (outcome) await this.markRevoked(outcome.sessionId);
    if (!outcome?.loggedOut) throw AuthErrors.invalidRefreshToken();
    return true;
  }

  async me(userId: string): Promise<User> {
    const user = await this.users.findOne(userId);
    if (!user) throw AuthErrors.sessionEnded();
    return user;
  }

  /** Verifies a raw access token (WebSocket connections; HTTP goes through Passport). */
  async verifyAccessToken(token: string): Promise<AuthUser> {
    return this.validateClaims(await this.verifySignature(token));
  }

  /**
   * The claims of a token whose signature, algorithm, issuer, audience and expiry hold;
   * the session is not checked yet (validateClaims does that).
   */
  async verifySignature(token: string): Promise<unknown> {
    const known = this.verified.get(token);
    if (known && known.expiresAtMs > Date.now()) return known.claims;
    let claims: { exp?: unknown };
    try {
      claims = await this.jwt.verifyAsync(token);
    } catch {
      throw AuthErrors.invalidAccessToken();
    }
    // A client sends the same token for its whole life: the same bytes verify the same way
    // until they expire (the session is still checked on every use, by validateClaims).
    if (typeof claims.exp === 'number') {
      if (this.verified.size >= MAX_VERIFIED_TOKENS) this.verified.clear();
      this.verified.set(token, { claims, expiresAtMs: claims.exp * 1000 });
    }
    return claims;
  }

  /** A signature-checked token is good only while its session lives (logout ends it at once). */
  async validateClaims(claims: unknown): Promise<AuthUser> {
    if (!isAccessClaims(claims)) throw AuthErrors.invalidAccessToken();
    if (!(await this.isSessionActive(claims.sid))) throw AuthErrors.sessionEnded();
    return { id: claims.sub, role: claims.role as Role, sessionId: claims.sid };
  }

  private async isSessionActive(sessionId: string): Promise<boolean> {
    // Both keys in one round trip, read at one instant: a revocation still wins.
    const [revoked, active] =
      (await this.cache.getMany<boolean>([revokedKey(sessionId), activeKey(sessionId)])) ?? [];
    if (revoked) return false;
    if (active) return true;
    const session = await this.em.fork().findOne(Session, sessionId);
    if (!session?.isActive()) {
      await this.markRevoked(sessionId);
      return false;
    }
    const ttl = Math.min(ACTIVE_SESSION_CACHE_MS, session.expiresAt.getTime() - Date.now());
    await this.cache.set(activeKey(sessionId), true, ttl);
    return true;
  }

  /** Once marked, every instance sharing the cache refuses the session's access tokens. */
  private async markRevoked(sessionId: string): Promise<void> {
    // Access tokens live no longer than this, so neither need the mark.
    await this.cache.set(
      revokedKey(sessionId),
      true,
      this.config.auth.accessTokenTtlSeconds * 1000,
    );
    await this.cache.del(activeKey(sessionId));
    // Open WebSockets of the session close at once, on every instance (bounded, best effort).
    await this.bus.publish(sessionRevokedTopic(this.config.redis.keyPrefix), {
      sessionId,
    } satisfies SessionRevoked);
  }

  private openSession(tx: EntityManager, user: User): IssuedTokens {
    const session = tx.create(Session, {
      user,
      createdAt: new Date(),
      expiresAt: new Date(Date.now() + this.config.auth.refreshTokenTtlSeconds * 1000),
    });
    return this.rotate(tx, session, user);
  }

  private rotate(tx: EntityManager, session: Session, user: User): IssuedTokens {
    const { token, hash } = newRefreshToken();
    tx.create(RefreshToken, { session, tokenHash: hash, createdAt: new Date() });
    const claims: AccessTokenClaims = {
      sub: user.id,
      sid: session.id,
      role: user.role,
      typ: 'access',
    };
    return {
      accessToken: this.jwt.sign(claims),
      refreshToken: token,
      expiresIn: this.config.auth.accessTokenTtlSeconds,
      user,
    };
  }
}

function revoke(session: Session, reason: 'LOGOUT' | 'REFRESH_TOKEN_REUSE'): void {
  session.revokedAt = new Date();
  session.revokedReason = reason;
}
