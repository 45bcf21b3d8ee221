import { ConfigError, loadConfig } from './env';

const SECRET = 'x'.repeat(40);

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('boots a bare development machine on the embedded defaults', () => {
    const { config, warnings } = loadConfig({});
    expect(config).toMatchObject({
      nodeEnv: 'development',
      port: 3000,
      database: { url: undefined, poolSize: 10, migrateOnStart: false },
      redis: { url: undefined },
      graphql: { playground: true, introspection: true },
      llm: { apiKey: undefined, baseUrl: undefined },
    });
    expect(config.database.dataDir).toMatch(/\.data$/);
    // A random secret, announced, so tokens will not survive a restart.
    expect(config.auth.jwtSecret.length).toBeGreaterThanOrEqual(32);
    expect(config.auth.jwtSecretGenerated).toBe(true);
    expect(warnings.join('\n')).toMatch(/JWT_SECRET is not set/);
    expect(loadConfig({}).config.auth.jwtSecret).not.toBe(config.auth.jwtSecret);
  });

  it('names every bad variable in one error', () => {
    const problems = problemsOf({
      NODE_ENV: 'production',
      PORT: 'eighty',
      DATABASE_URL: 'mysql://root:hunter2@db/game',
      REDIS_URL: 'not a url',
      DB_POOL_SIZE: '0',
      MIGRATE_ON_START: 'maybe',
      LOG_LEVEL: 'loud',
      OPENAI_BASE_URL: 'ftp://models',
    });
    const text = problems.join('\n');
    for (const name of [
      'PORT',
      'DATABASE_URL',
      'REDIS_URL',
      'DB_POOL_SIZE',
      'MIGRATE_ON_START',
      'LOG_LEVEL',
      'OPENAI_BASE_URL',
      'JWT_SECRET',
    ]) {
      expect(text).toContain(name);
    }
    // A URL may carry a password: the message names the variable, never its value.
    expect(text).not.toContain('hunter2');
  });

  it('refuses a weak or missing JWT secret outside development', () => {
    expect(problemsOf({ NODE_ENV: 'production', JWT_SECRET: 'short' })).toEqual([
      'JWT_SECRET must be at least 32 characters',
    ]);
    expect(problemsOf({ NODE_ENV: 'test' })[0]).toMatch(/JWT_SECRET is required/);
    const { warnings } = loadConfig({ NODE_ENV: 'development', JWT_SECRET: 'short' });
    expect(warnings[0]).toMatch(/shorter than 32/);
  });

  it('turns the playground and introspection off in production unless asked', () => {
    const prod = loadConfig({ NODE_ENV: 'production', JWT_SECRET: SECRET }).config;
    expect(prod.graphql).toMatchObject({
      playground: false,
      introspection: false,
      hideSuggestions: true,
    });
    const opted = loadConfig({
      NODE_ENV: 'production',
      JWT_SECRET: SECRET,
      GRAPHQL_PLAYGROUND: 'true',
    }).config;
    expect(opted.graphql).toMatchObject({ playground: true, introspection: true });
  });

  it('reads the real-server settings', () => {
    const { config } = loadConfig({
      NODE_ENV: 'production',
      JWT_SECRET: SECRET,
      DATABASE_URL: 'postgresql://app@db:5432/loremaster',
      REDIS_URL: 'redis://cache:6379',
      MIGRATE_ON_START: 'yes',
      PORT: '8080',
      OPENAI_BASE_URL: 'http://127.0.0.1:11434/v1',
      OPENAI_MODEL: 'llama3.1',
    });
    expect(config.database).toMatchObject({
      url: 'postgresql://app@db:5432/loremaster',
      migrateOnStart: true,
    });
    expect(config.redis.url).toBe('redis://cache:6379');
    expect(config.port).toBe(8080);
    expect(config.llm).toMatchObject({ baseUrl: 'http://127.0.0.1:11434/v1', model: 'llama3.1' });
  });
});
