import { createHash, createSecretKey, KeyObject, randomBytes } from 'node:crypto';
import { isUuid } from '../../common/errors/validation';

/** HS256 only: pinning the algorithm refuses `alg: none` and algorithm-confusion tokens. */
export const JWT_ALGORITHM = 'HS256' as const;
export const JWT_ISSUER = 'loremaster';
export const JWT_AUDIENCE = 'loremaster-api';

/**
 * The HMAC secret as a KeyObject. Given a string, jsonwebtoken first tries it as a
 * PEM public key and catches the failure on every call: ~0.45 ms per verify here,
 * against ~0.01 ms with a KeyObject (bench/README.md, hot read).
 */
export function hmacKey(secret: string): KeyObject {
  return createSecretKey(Buffer.from(secret, 'utf8'));
}

export interface AccessTokenClaims {
  sub: string;
  sid: string;
  role: string;
  typ: 'access';
}

/** 256 random bits: a hash without salt is enough to store it safely. */
export function newRefreshToken(): { token: string; hash: string } {
  const token = `rt_${randomBytes(32).toString('base64url')}`;
  return { token, hash: hashRefreshToken(token) };
}

export function hashRefreshToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** Ids are checked here, so a bad one is refused before it reaches a uuid column. */
export function isAccessClaims(value: unknown): value is AccessTokenClaims {
  const claims = value as Partial<AccessTokenClaims> | null;
  return (
    typeof claims === 'object' &&
    claims !== null &&
    claims.typ === 'access' &&
    isUuid(claims.sub) &&
    isUuid(claims.sid) &&
    typeof claims.role === 'string'
  );
}
