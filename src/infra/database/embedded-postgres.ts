import { join } from 'node:path';
import { Worker } from 'node:worker_threads';

/**
 * PGlite is one PostgreSQL session: every connection the socket server accepts
 * shares it, so two pooled connections would interleave their transactions.
 * The pool that talks to it must therefore hold exactly this many connections.
 */
export const EMBEDDED_MAX_CONNECTIONS = 1;

export interface EmbeddedPostgres {
  /** A postgres:// URL the stock `pg` driver can use. */
  url: string;
  stop(): Promise<void>;
}

/**
 * The engine runs in a worker thread: opening it (about a second of WebAssembly
 * start-up) overlaps with Node loading the framework, and its query execution
 * never blocks the event loop that serves HTTP. Plain CommonJS source, so it runs
 * the same from compiled code and from the test runner.
 */
const WORKER_SOURCE = `
const { mkdirSync } = require('node:fs');
const { createServer } = require('node:net');
const { parentPort, workerData } = require('node:worker_threads');
const { PGlite } = require(workerData.pglite);
const { PGLiteSocketServer } = require(workerData.socket);
let stop;
parentPort.on('message', (message) => {
  if (message === 'stop' && stop) stop();
});
const freePort = () => new Promise((resolve, reject) => {
  const probe = createServer();
  probe.once('error', reject);
  probe.listen(0, '127.0.0.1', () => {
    const { port } = probe.address();
    probe.close(() => resolve(port));
  });
});
(async () => {
  mkdirSync(workerData.pgdata, { recursive: true });
  const [db, port] = await Promise.all([PGlite.create(workerData.pgdata), freePort()]);
  const server = new PGLiteSocketServer({
    db, host: '127.0.0.1', port, maxConnections: workerData.maxConnections,
  });
  await server.start();
  stop = async () => {
    await server.stop();
    await db.close();
    parentPort.postMessage({ type: 'stopped' });
    parentPort.close();
  };
  parentPort.postMessage({ type: 'ready', port });
})().catch((error) => parentPort.postMessage({ type: 'error', message: String((error && error.stack) || error) }));
`;

/**
 * Starts real PostgreSQL (PGlite, compiled to WebAssembly), keeps its files under
 * `dataDir/pgdata`, and serves it over the PostgreSQL wire protocol on a free
 * loopback port so MikroORM uses the same driver as in production.
 */
export async function startEmbeddedPostgres(dataDir: string): Promise<EmbeddedPostgres> {
  // The thread starts before the first await, so its start-up overlaps whatever the caller does next.
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: {
      pgdata: join(dataDir, 'pgdata'),
      maxConnections: EMBEDDED_MAX_CONNECTIONS,
      pglite: require.resolve('@electric-sql/pglite'),
      socket: require.resolve('@electric-sql/pglite-socket'),
    },
  });
  const { port } = await nextMessage(worker, 'ready');
  return {
    url: `postgresql://postgres:postgres@127.0.0.1:${port}/postgres`,
    async stop() {
      worker.postMessage('stop');
      // A clean close flushes PGlite's files; past the deadline, end the thread anyway.
      await Promise.race([
        nextMessage(worker, 'stopped'),
        // unref: a pending deadline must not keep a finished process alive.
        new Promise((r) => setTimeout(r, 10_000).unref()),
      ]);
      await worker.terminate();
    },
  };
}

interface WorkerMessage {
  type: string;
  port?: number;
  message?: string;
}

function nextMessage(worker: Worker, type: 'ready' | 'stopped'): Promise<WorkerMessage> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: WorkerMessage) => {
      if (message.type === type) {
        cleanup();
        resolve(message);
      } else if (message.type === 'error') {
        cleanup();
        reject(new Error(`embedded PostgreSQL failed: ${message.message}`));
      }
    };
    const onExit = (code: number) => {
      cleanup();
      if (type === 'stopped') resolve({ type });
      else reject(new Error(`embedded PostgreSQL exited with code ${code}`));
    };
    const cleanup = () => {
      worker.off('message', onMessage);
      worker.off('exit', onExit);
      worker.off('error', reject);
    };
    worker.on('message', onMessage);
    worker.on('exit', onExit);
    worker.on('error', reject);
  });
}
