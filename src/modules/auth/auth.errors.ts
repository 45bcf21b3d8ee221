import { conflict, unauthenticated } from '../../common/errors/domain-error';

export const AuthErrors = {
  invalidCredentials: () => unauthenticated('Invalid login or password'),
  invalidRefreshToken: () => unauthenticated('Refresh token is invalid, spent or revoked'),
  invalidAccessToken: () => unauthenticated('Access token is invalid or expired'),
  sessionEnded: () => unauthenticated('Session has ended; sign in again'),
  usernameTaken: () => conflict('That username is taken', 'username'),
  emailTaken: () => conflict('That email is already registered', 'email'),
};
