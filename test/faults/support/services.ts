import { execFileSync, spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';

/**
 * Stops and starts the PostgreSQL and Redis the run's DATABASE_URL and REDIS_URL
 * point at. They must be local: a fault test takes them down for real, so it
 * refuses (skips) anything it could not start again itself.
 *
 * PostgreSQL is a pg_ctlcluster cluster, found by its port (or FAULT_PG_CLUSTER,
 * "<version> <name>"); Redis is restarted as .ci/run starts it (no persistence).
 */
export interface Service {
  name: string;
  /** Why the service cannot be controlled here; undefined when it can. */
  unavailable?: string;
  isUp(): boolean;
  stop(): void;
  start(): void;
  /** Starts it when it is down and waits until it answers (or throws). */
  ensureUp(timeoutMs?: number): Promise<void>;
  waitUntil(up: boolean, timeoutMs?: number): Promise<void>;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

function run(command: string, args: string[]): { ok: boolean; output: string } {
  const result = spawnSync(command, args, { encoding: 'utf8', timeout: 60_000 });
  return { ok: result.status === 0, output: `${result.stdout ?? ''}${result.stderr ?? ''}` };
}

function service(
  name: string,
  unavailable: string | undefined,
  isUp: () => boolean,
  stop: () => void,
  start: () => void,
): Service {
  const waitUntil = async (up: boolean, timeoutMs = 30_000) => {
    const deadline = Date.now() + timeoutMs;
    while (isUp() !== up) {
      if (Date.now() > deadline) throw new Error(`${name} is still ${up ? 'down' : 'up'}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  return {
    name,
    unavailable,
    isUp,
    stop,
    start,
    waitUntil,
    async ensureUp(timeoutMs = 30_000) {
      if (unavailable || isUp()) return;
      start();
      await waitUntil(true, timeoutMs);
    },
  };
}

/** The PostgreSQL cluster behind DATABASE_URL. */
export function postgresService(databaseUrl = process.env.DATABASE_URL): Service {
  if (!databaseUrl) return unavailable('PostgreSQL', 'DATABASE_URL is not set (embedded run)');
  const url = new URL(databaseUrl);
  const host = url.hostname;
  const port = url.port || '5432';
  if (!LOOPBACK.has(host))
    return unavailable('PostgreSQL', `DATABASE_URL host ${host} is not local`);
  const cluster = process.env.FAULT_PG_CLUSTER?.trim().split(/\s+/) ?? clusterOnPort(port);
  if (!cluster)
    return unavailable('PostgreSQL', `no pg_ctlcluster cluster listens on port ${port}`);
  const ctl = (action: string, ...extra: string[]) =>
    execFileSync(
      'pg_ctlcluster',
      ['--skip-systemctl-redirect', cluster[0], cluster[1], action, ...extra],
      { stdio: 'pipe', timeout: 60_000 },
    );
  return service(
    `PostgreSQL ${cluster.join('/')} on port ${port}`,
    undefined,
    () => run('pg_isready', ['-q', '-h', host === 'localhost' ? '127.0.0.1' : host, '-p', port]).ok,
    // Fast shutdown: open transactions are rolled back and their connections cut, as in a crash-restart.
    () => ctl('stop', '-m', 'fast'),
    () => ctl('start'),
  );
}

/** The Redis behind REDIS_URL. */
export function redisService(redisUrl = process.env.REDIS_URL): Service {
  if (!redisUrl) return unavailable('Redis', 'REDIS_URL is not set (embedded run)');
  const url = new URL(redisUrl);
  const host = url.hostname;
  const port = url.port || '6379';
  if (!LOOPBACK.has(host)) return unavailable('Redis', `REDIS_URL host ${host} is not local`);
  const cli = (...args: string[]) => run('redis-cli', ['-h', '127.0.0.1', '-p', port, ...args]);
  return service(
    `Redis on port ${port}`,
    undefined,
    () => /PONG/.test(cli('ping').output),
    () => {
      cli('shutdown', 'nosave');
    },
    () => {
      const started = run('redis-server', [
        '--daemonize',
        'yes',
        '--bind',
        '127.0.0.1',
        '--port',
        port,
        '--save',
        '',
        '--appendonly',
        'no',
      ]);
      if (!started.ok) throw new Error(`redis-server did not start: ${started.output}`);
    },
  );
}

function unavailable(name: string, reason: string): Service {
  const refuse = () => {
    throw new Error(`${name} cannot be controlled: ${reason}`);
  };
  return service(name, reason, () => true, refuse, refuse);
}

/** "<version> <cluster>" of the local cluster on that port, from pg_lsclusters (or /etc/postgresql). */
function clusterOnPort(port: string): [string, string] | undefined {
  const listed = run('pg_lsclusters', ['--no-header']);
  if (listed.ok) {
    for (const line of listed.output.split('\n')) {
      const [version, name, clusterPort] = line.trim().split(/\s+/);
      if (clusterPort === port) return [version, name];
    }
    return undefined;
  }
  try {
    const versions = readdirSync('/etc/postgresql');
    return port === '5432' && versions.length === 1 ? [versions[0], 'main'] : undefined;
  } catch {
    return undefined;
  }
}
