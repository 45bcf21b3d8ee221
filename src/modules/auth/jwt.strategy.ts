import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import type { KeyObject } from 'node:crypto';
import { ExtractJwt, type SecretOrKeyProvider, Strategy } from 'passport-jwt';
import type { AuthUser } from '../../common/auth/auth-user';
import { InjectConfig } from '../../config/config.module';
import type { AppConfig } from '../../config/env';
import { AuthService } from './auth.service';
import { hmacKey, JWT_ALGORITHM, JWT_AUDIENCE, JWT_ISSUER } from './tokens';

@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor(
    private readonly auth: AuthService,
    @InjectConfig() config: AppConfig,
  ) {
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      // passport-jwt's type says string | Buffer; jsonwebtoken takes the KeyObject as is.
      secretOrKeyProvider: keyProvider(hmacKey(config.auth.jwtSecret)),
      algorithms: [JWT_ALGORITHM],
      issuer: JWT_ISSUER,
      audience: JWT_AUDIENCE,
      ignoreExpiration: false,
    });
  }

  validate(claims: unknown): Promise<AuthUser> {
    return this.auth.validateClaims(claims);
  }
}

function keyProvider(key: KeyObject): SecretOrKeyProvider {
  return (_request, _token, done) => done(null, key as unknown as Buffer);
}
