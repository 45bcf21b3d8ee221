import { LockMode, UniqueConstraintViolationException } from '@mikro-orm/core';
import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import type { AuthUser } from '../../common/auth/auth-user';
import { InjectConfig } from '../../config/config.module';
import type { AppConfig } from '../../config/env';
import { AppCache } from '../../infra/cache/app-cache';
import { AuthErrors } from './auth.errors';
import { LoginInput, RegisterInput } from './dto/register.input';
import { PasswordHasher } from './password-hasher';
import { Role } from './role.enum';
import { RefreshToken, Session } from './session.entity';
import { AccessTokenClaims, hashRefreshToken, isAccessClaims, newRefreshToken } from './tokens';
import { User } from './user.entity';
import { UserRepository } from './user.repository';

export interface IssuedTokens {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
  user: User;
}

type SessionState = 'active' | 'revoked';
const sessionKey = (sessionId: string) => `session:${sessionId}`;
/** How long "this session is live" may be served from cache; logout overwrites it at once. */
const ACTIVE_SESSION_CACHE_MS = 60_000;

@Injectable()
export class AuthService {
  constructor(
    private readonly em: EntityManager,
    private readonly users: UserRepository,
    private readonly jwt: JwtService,
    private readonly hasher: PasswordHasher,
    private readonly cache: AppCache,
    @InjectConfig() private readonly config: AppConfig,
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
      if (error instanceof UniqueConstraintViolationException) {
        throw error.message.includes('email') ? AuthErrors.emailTaken() : AuthErrors.usernameTaken();
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
        session.revokedAt = new Date();
        session.revokedReason = 'REFRESH_TOKEN_REUSE';
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

  /** Ends the session the refresh token belongs to, if it is one of this user's. */
  async logout(caller: AuthUser, refreshToken: string): Promise<boolean> {
    const sessionId = await this.em.transactional(async (tx) => {
      const token = await tx.findOne(RefreshToken, { tokenHash: hashRefreshToken(refreshToken) });
      if (!token) return null;
      const session = await tx.findOneOrFail(Session, token.session.id, {
        lockMode: LockMode.PESSIMISTIC_WRITE,
      });
      if (session.user.id !== caller.id) return null;
      if (!session.revokedAt) {
        session.revokedAt = new Date();
        session.revokedReason = 'LOGOUT';
      }
      return session.id;
    });
    if (!sessionId) throw AuthErrors.invalidRefreshToken();
    await this.markRevoked(sessionId);
    return true;
  }

  async me(userId: string): Promise<User> {
    const user = await this.users.findOne(userId);
    if (!user) throw AuthErrors.sessionEnded();
    return user;
  }

  /** Verifies a raw access token (WebSocket connections; HTTP goes through Passport). */
  async verifyAccessToken(token: string): Promise<AuthUser> {
    let claims: unknown;
    try {
      claims = await this.jwt.verifyAsync(token);
    } catch {
      throw AuthErrors.invalidAccessToken();
    }
    return this.validateClaims(claims);
  }

  /** A signature-checked token is good only while its session lives (logout ends it at once). */
  async validateClaims(claims: unknown): Promise<AuthUser> {
    if (!isAccessClaims(claims)) throw AuthErrors.invalidAccessToken();
    if ((await this.sessionState(claims.sid)) !== 'active') throw AuthErrors.sessionEnded();
    return { id: claims.sub, role: claims.role as Role, sessionId: claims.sid };
  }

  private async sessionState(sessionId: string): Promise<SessionState> {
    const cached = await this.cache.get<SessionState>(sessionKey(sessionId));
    if (cached) return cached;
    const session = await this.em.fork().findOne(Session, sessionId);
    const state: SessionState = session?.isActive() ? 'active' : 'revoked';
    const ttl = state === 'active'
      ? Math.min(ACTIVE_SESSION_CACHE_MS, session!.expiresAt.getTime() - Date.now())
      : this.config.auth.accessTokenTtlSeconds * 1000;
    await this.cache.set(sessionKey(sessionId), state, ttl);
    return state;
  }

  /** Access tokens outlive nothing: once marked, every instance sharing the cache refuses them. */
  private async markRevoked(sessionId: string): Promise<void> {
    await this.cache.set(sessionKey(sessionId), 'revoked', this.config.auth.accessTokenTtlSeconds * 1000);
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
    const claims: AccessTokenClaims = { sub: user.id, sid: session.id, role: user.role, typ: 'access' };
    return {
      accessToken: this.jwt.sign(claims),
      refreshToken: token,
      expiresIn: this.config.auth.accessTokenTtlSeconds,
      user,
    };
  }
}
