import { ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { join } from 'node:path';
import { AUTH_FIELDS, PASSWORD, uniqueCharacterName, uniqueName } from './factories';
import type { GqlResult } from './test-app';
import { TEST_JWT_SECRET } from './test-app';

/**
 * A real server process, started from the entry point as `npm start` would
 * (minus the build): what scale-out and fault tests run two of, side by side.
 */
export interface ServerProcess {
  url: string;
  pid: number;
  /** Everything the process printed so far. */
  output(): string;
  /** Resolves with the exit code once the process is gone. */
  exit: Promise<number | null>;
  gql<T = Record<string, any>>(
    query: string,
    variables?: Record<string, unknown>,
    token?: string,
    timeoutMs?: number,
  ): Promise<GqlResult<T>>;
  get(path: string, timeoutMs?: number): Promise<{ status: number; body: any }>;
  /** SIGTERM, then SIGKILL if it lingers; resolves once the process has exited. */
  stop(): Promise<void>;
}

/** The environment a child gets: the test's, minus what the app reads, plus `env`. */
function childEnv(env: Record<string, string | undefined>): NodeJS.ProcessEnv {
  const base = { ...process.env };
  for (const key of Object.keys(base)) {
    // Jest's and the run's own settings must not leak into the app's configuration.
    if (/^(DATABASE_URL|REDIS_URL|REDIS_KEY_PREFIX|JWT_|NODE_ENV|PORT|HOST|LOG_LEVEL)/.test(key))
      delete base[key];
  }
  const merged: NodeJS.ProcessEnv = { ...base };
  for (const [key, value] of Object.entries(env)) if (value !== undefined) merged[key] = value;
  return merged;
}

/** Spawns `node scripts/run-ts.js src/main.ts` with `env` and nothing else from the run. */
export function spawnServer(
  env: Record<string, string | undefined>,
): ChildProcessWithoutNullStreams {
  return spawn(process.execPath, ['scripts/run-ts.js', 'src/main.ts'], {
    cwd: join(__dirname, '..', '..'),
    env: childEnv(env),
  });
}

/**
 * Starts a server on a free port against the run's PostgreSQL and Redis (or what
 * `env` says) and waits until it listens. Real servers only: without a
 * DATABASE_URL each process would open its own embedded database.
 */
export async function startServer(
  env: Record<string, string | undefined> = {},
  startTimeoutMs = 60_000,
): Promise<ServerProcess> {
  const child = spawnServer({
    NODE_ENV: 'test',
    HOST: '127.0.0.1',
    PORT: '0',
    // The "listening on" line, which gives the port, is logged at 'log'.
    LOG_LEVEL: 'log',
    NO_COLOR: '1',
    JWT_SECRET: TEST_JWT_SECRET,
    DATABASE_URL: process.env.DATABASE_URL,
    REDIS_URL: process.env.REDIS_URL,
    REDIS_KEY_PREFIX: process.env.REDIS_KEY_PREFIX,
    // As in bootTestApp: suites sign in far more often than people (tests set small limits).
    RATE_LIMIT_DEFAULT: '100000',
    RATE_LIMIT_AUTH: '100000',
    RATE_LIMIT_LOGIN_PER_ACCOUNT: '100000',
    RATE_LIMIT_GM: '100000',
    ...env,
  });
  let text = '';
  child.stdout.on('data', (chunk) => (text += chunk));
  child.stderr.on('data', (chunk) => (text += chunk));
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  let exited = false;
  void exit.then(() => (exited = true));

  const deadline = Date.now() + startTimeoutMs;
  let port: string | undefined;
  while (!port) {
    port = /listening on [^\s:]+:(\d+)/.exec(text)?.[1];
    if (port) break;
    if (exited || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`server did not start:\n${text.slice(-4000)}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  const url = `http://127.0.0.1:${port}`;

  return {
    url,
    pid: child.pid!,
    output: () => text,
    exit,
    async gql(query, variables, token, timeoutMs = 15_000) {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (token) headers.authorization = `Bearer ${token}`;
      const res = await fetch(`${url}/graphql`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ query, variables }),
        signal: AbortSignal.timeout(timeoutMs),
      });
      if (res.status !== 200 && res.status !== 400) {
        throw new Error(`unexpected HTTP ${res.status}: ${await res.text()}`);
      }
      return (await res.json()) as GqlResult<any>;
    },
    async get(path, timeoutMs = 10_000) {
      const res = await fetch(`${url}${path}`, { signal: AbortSignal.timeout(timeoutMs) });
      const body = await res.text();
      let parsed: unknown = body;
      try {
        parsed = JSON.parse(body);
      } catch {
        // Prometheus text and the like stay as text.
      }
      return { status: res.status, body: parsed };
    },
    async stop() {
      if (exited) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exit;
      clearTimeout(timer);
    },
  };
}

export interface Account {
  id: string;
  username: string;
  accessToken: string;
  refreshToken: string;
}

export async function registerOn(server: ServerProcess): Promise<Account> {
  const username = uniqueName();
  const res = await server.gql(
    `mutation($input: RegisterInput!) { register(input: $input) { ${AUTH_FIELDS} } }`,
    { input: { username, email: `${username}@example.com`, password: PASSWORD } },
  );
  if (res.errors) throw new Error(`register failed: ${JSON.stringify(res.errors)}`);
  const payload = res.data!.register;
  return {
    id: payload.user.id,
    username,
    accessToken: payload.accessToken,
    refreshToken: payload.refreshToken,
  };
}

/** A new character; returns its id and the id of its starter "Health Potion". */
export async function createPlayerOn(
  server: ServerProcess,
  account: Account,
  characterName = uniqueCharacterName(),
): Promise<{ id: string; potionId: string }> {
  const res = await server.gql(
    `mutation($input: CreatePlayerInput!) {
      createPlayer(input: $input) { id inventory { item { id name } } }
    }`,
    { input: { characterName, characterClass: 'CLERIC' } },
    account.accessToken,
  );
  if (res.errors) throw new Error(`createPlayer failed: ${JSON.stringify(res.errors)}`);
  const player = res.data!.createPlayer;
  const potion = player.inventory.find((e: any) => e.item.name === 'Health Potion');
  return { id: player.id, potionId: potion.item.id };
}
