import { MikroOrmModule } from '@mikro-orm/nestjs';
import { Module } from '@nestjs/common';
import { JwtModule } from '@nestjs/jwt';
import { PassportModule } from '@nestjs/passport';
import { APP_CONFIG } from '../../config/config.module';
import type { AppConfig } from '../../config/env';
import { AuthResolver } from './auth.resolver';
import { AuthService } from './auth.service';
import { JwtStrategy } from './jwt.strategy';
import { PasswordHasher } from './password-hasher';
import { RefreshToken, Session } from './session.entity';
import { hmacKey, JWT_ALGORITHM, JWT_AUDIENCE, JWT_ISSUER } from './tokens';
import { User } from './user.entity';

@Module({
  imports: [
    MikroOrmModule.forFeature([User, Session, RefreshToken]),
    PassportModule,
    JwtModule.registerAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => {
        const key = hmacKey(config.auth.jwtSecret);
        return {
          secretOrKeyProvider: () => key,
          signOptions: {
            algorithm: JWT_ALGORITHM,
            expiresIn: config.auth.accessTokenTtlSeconds,
            issuer: JWT_ISSUER,
            audience: JWT_AUDIENCE,
          },
          verifyOptions: {
            algorithms: [JWT_ALGORITHM],
            issuer: JWT_ISSUER,
            audience: JWT_AUDIENCE,
          },
        };
      },
    }),
  ],
  providers: [AuthService, AuthResolver, JwtStrategy, PasswordHasher],
  exports: [AuthService],
})
export class AuthModule {}
