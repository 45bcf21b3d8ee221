import { ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { cpSync, mkdtempSync } from 'node:fs';
import { AddressInfo, createServer, Server, Socket } from 'node:net';
import { join } from 'node:path';
import { TEST_JWT_SECRET } from './support/test-app';

/** `npm start` as a user runs it, minus the build: the real entry point in a child process. */
function launch(env: Record<string, string | undefined>): ChildProcessWithoutNullStreams {
  const base = { ...process.env };
  for (const key of ['DATABASE_URL', 'REDIS_URL', 'JWT_SECRET', 'NODE_ENV', 'PORT'])
    delete base[key];
  return spawn(process.execPath, ['scripts/run-ts.js', 'src/main.ts'], {
    cwd: join(__dirname, '..'),
    env: { ...base, ...env } as NodeJS.ProcessEnv,
  });
}

function collect(child: ChildProcessWithoutNullStreams): {
  output: () => string;
  exit: Promise<number | null>;
} {
  let text = '';
  child.stdout.on('data', (chunk) => (text += chunk));
  child.stderr.on('data', (chunk) => (text += chunk));
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { output: () => text, exit };
}

describe('the server process', () => {
  it('refuses to start on bad configuration, naming every bad variable in one message', async () => {
    const child = launch({
      NODE_ENV: 'production',
      JWT_SECRET: 'short',
      PORT: 'eighty',
      DATABASE_URL: 'mysql://root:hunter2@db/x',
    });
    const { output, exit } = collect(child);
    expect(await exit).toBe(1);
    const text = output();
    for (const name of ['JWT_SECRET', 'PORT', 'DATABASE_URL']) expect(text).toContain(name);
    expect(text).not.toContain('hunter2');
    expect(text).not.toMatch(/\n\s+at /); // no stack trace
  }, 30_000);

  it.each([
    ['JWT_SECRET', { JWT_SECRET: 'short' }],
    ['DATABASE_URL', { DATABASE_URL: 'mysql://root:hunter2@db/x' }],
  ])(
    'exits at once in production on a bad %s alone, naming it',
    async (name, bad) => {
      const started = Date.now();
      const child = launch({
        NODE_ENV: 'production',
        JWT_SECRET: TEST_JWT_SECRET,
        PORT: '0',
        ...bad,
      });
      const { output, exit } = collect(child);
      expect(await exit).toBe(1);
      // Validation runs before the framework loads: no server, no hang.
      expect(Date.now() - started).toBeLessThan(10_000);
      const problems = output().match(/^\s+- .*$/gm) ?? [];
      expect(problems).toHaveLength(1);
      expect(problems[0]).toContain(name);
      expect(output()).not.toContain('hunter2');
    },
    30_000,
  );

  describe('with a DATABASE_URL that leads nowhere', () => {
    let silent: Server;
    let closedPort: number;
    const held: Socket[] = [];
    beforeAll(async () => {
      // A port that refuses connections, and one that accepts and never answers (a black hole).
      const probe = createServer();
      await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
      closedPort = (probe.address() as AddressInfo).port;
      await new Promise((r) => probe.close(r));
      silent = createServer((socket) => held.push(socket));
      await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    });
    afterAll(async () => {
      for (const socket of held) socket.destroy();
      await new Promise((r) => silent.close(r));
    });

    it.each([
      ['refuses connections', () => closedPort],
      ['never answers', () => (silent.address() as AddressInfo).port],
    ])(
      'exits promptly, naming DATABASE_URL, when the server %s',
      async (_, port) => {
        const started = Date.now();
        const child = launch({
          NODE_ENV: 'production',
          JWT_SECRET: TEST_JWT_SECRET,
          PORT: '0',
          DATABASE_URL: `postgresql://postgres:hunter2@127.0.0.1:${port()}/loremaster`,
          DB_CONNECT_TIMEOUT_MS: '1000',
        });
        const { output, exit } = collect(child);
        expect(await exit).toBe(1);
        // Without a connect timeout the black hole would hold the process for minutes.
        expect(Date.now() - started).toBeLessThan(15_000);
        const text = output();
        expect(text).toContain(`DATABASE_URL: cannot connect to PostgreSQL at 127.0.0.1:${port()}`);
        expect(text).not.toContain('hunter2');
        expect(text).not.toMatch(/\n\s+at /); // no stack trace
        expect(text).not.toContain('listening on');
      },
      30_000,
    );
  });

  it('starts, serves, and shuts down cleanly on SIGTERM', async () => {
    const dataDir = mkdtempSync(join(process.env.LOREMASTER_TEST_ROOT ?? '/tmp', 'process-'));
    if (!process.env.DATABASE_URL && process.env.LOREMASTER_TEST_TEMPLATE) {
      cpSync(process.env.LOREMASTER_TEST_TEMPLATE, dataDir, { recursive: true });
    }
    const child = launch({
      NODE_ENV: 'test',
      JWT_SECRET: TEST_JWT_SECRET,
      HOST: '127.0.0.1',
      PORT: '0',
      DATA_DIR: dataDir,
      DATABASE_URL: process.env.DATABASE_URL,
      REDIS_URL: process.env.REDIS_URL,
    });
    const { output, exit } = collect(child);
    const deadline = Date.now() + 30_000;
    let port: string | undefined;
    while (!port && Date.now() < deadline) {
      port = /listening on [^:]+:(\d+)/.exec(output())?.[1];
      if (!port) await new Promise((r) => setTimeout(r, 50));
    }
    expect(port).toBeDefined();
    const health = await fetch(`http://127.0.0.1:${port}/health`);
    expect(health.status).toBe(200);
    child.kill('SIGTERM');
    expect(await exit).toBe(0);
    expect(output()).toContain('SIGTERM: shutting down');
  }, 60_000);
});
