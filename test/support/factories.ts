import { randomBytes } from 'node:crypto';
import type { TestApp } from './test-app';

/** Unique per call, so test files and repeated runs never collide on names. */
export function uniqueName(prefix = 'u'): string {
  return `${prefix}${randomBytes(5).toString('hex')}`;
}

/** A letters-only unique character name (character names may not contain digits). */
export function uniqueCharacterName(prefix = 'Hero'): string {
  const letters = Array.from(randomBytes(8), (b) => String.fromCharCode(97 + (b % 26))).join('');
  return `${prefix} ${letters}`.slice(0, 24);
}

export const PASSWORD = 'correct-horse-battery-42';

export interface TestUser {
  id: string;
  username: string;
  email: string;
  accessToken: string;
  refreshToken: string;
}

export const AUTH_FIELDS =
  'accessToken refreshToken expiresIn user { id username email role createdAt }';

export async function registerUser(
  app: TestApp,
  overrides: Partial<{ username: string; email: string; password: string }> = {},
): Promise<TestUser> {
  const username = overrides.username ?? uniqueName();
  const input = {
    username,
    email: overrides.email ?? `${username}@example.com`,
    password: overrides.password ?? PASSWORD,
  };
  const res = await app.gql(
    `mutation($input: RegisterInput!) { register(input: $input) { ${AUTH_FIELDS} } }`,
    { input },
  );
  if (res.errors) throw new Error(`register failed: ${JSON.stringify(res.errors)}`);
  const payload = res.data!.register;
  return { ...payload.user, accessToken: payload.accessToken, refreshToken: payload.refreshToken };
}

export const PLAYER_FIELDS =
  'id characterName characterClass level experience experienceToNextLevel health maxHealth mana maxMana gold stats { strength dexterity intelligence constitution wisdom charisma } createdAt';

export async function createPlayer(
  app: TestApp,
  user: TestUser,
  input: Partial<{ characterName: string; characterClass: string }> = {},
): Promise<Record<string, any>> {
  const res = await app.gql(
    `mutation($input: CreatePlayerInput!) { createPlayer(input: $input) { ${PLAYER_FIELDS} } }`,
    {
      input: {
        characterName: input.characterName ?? uniqueCharacterName(),
        characterClass: input.characterClass ?? 'WARRIOR',
      },
    },
    user.accessToken,
  );
  if (res.errors) throw new Error(`createPlayer failed: ${JSON.stringify(res.errors)}`);
  return res.data!.createPlayer;
}

/** The `extensions.code` of the only error, failing loudly when the shape is not that. */
export function errorCode(res: { errors?: { extensions: Record<string, any> }[] }): string {
  expect(res.errors).toHaveLength(1);
  return res.errors![0].extensions.code;
}
