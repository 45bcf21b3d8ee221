import { registerDecorator, ValidationArguments } from 'class-validator';

/** The most common passwords that would pass the length and character rules. */
const COMMON = new Set([
  'password1!',
  'password12',
  'password123',
  'password1234',
  'qwerty1234',
  'qwertyuiop1',
  '1234567890a',
  'iloveyou123',
  'letmein1234',
  'welcome123',
  'admin12345',
  'abc1234567',
  'passw0rd123',
  'trustno1234',
]);

/** Why a password is too weak, or null when it is acceptable. */
export function passwordWeakness(password: string, identity: string[] = []): string | null {
  if (password.length < 10) return 'password must be at least 10 characters';
  if (password.length > 128) return 'password must be at most 128 characters';
  if (!/\p{L}/u.test(password) || !/[^\p{L}]/u.test(password)) {
    return 'password must mix letters with digits or symbols';
  }
  if (new Set(password).size < 5) return 'password repeats too few characters';
  const lower = password.toLowerCase();
  if (COMMON.has(lower)) return 'password is too common';
  if (identity.some((part) => part.length >= 3 && lower.includes(part.toLowerCase()))) {
    return 'password must not contain the username or email';
  }
  return null;
}

export function IsStrongPassword() {
  return (target: object, propertyName: string) => {
    registerDecorator({
      name: 'isStrongPassword',
      target: target.constructor,
      propertyName,
      validator: {
        validate(value: unknown, args: ValidationArguments) {
          if (typeof value !== 'string') return false;
          const other = args.object as { username?: unknown; email?: unknown };
          const identity = [
            other.username,
            typeof other.email === 'string' ? other.email.split('@')[0] : undefined,
          ].filter((v): v is string => typeof v === 'string');
          return passwordWeakness(value, identity) === null;
        },
        defaultMessage(args: ValidationArguments) {
          return typeof args.value === 'string'
            ? (passwordWeakness(args.value) ?? 'password must not contain the username or email')
            : 'password must be a string';
        },
      },
    });
  };
}
