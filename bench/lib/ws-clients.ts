// A process holding many WebSocket clients for the fan-out bench, so that the clients' work is
// not charged to the server under test (nor the server's to the clients).
//   graphql: graphql-transport-ws by hand (connection_init with the token, one `subscribe`)
//   bare:    a plain socket that only waits for messages
// Every received message is stamped with an absolute clock (timeOrigin + now, shared by all
// processes on the machine); the orchestrator asks for the stamps of the latest message.
import WebSocket from 'ws';
import { serveChild } from './harness';

const now = () => performance.timeOrigin + performance.now();

interface Options {
  url: string;
  count: number;
  mode: 'graphql' | 'bare';
  token?: string;
  query?: string;
  variables?: Record<string, unknown>;
}

async function main(): Promise<void> {
  const options = JSON.parse(process.argv[2]) as Options;
  const sockets: WebSocket[] = [];
  const received: number[] = new Array<number>(options.count).fill(0);
  const lastAt: number[] = new Array<number>(options.count).fill(0);
  let errors = 0;

  const open = (i: number) =>
    new Promise<void>((resolve) => {
      const ws = new WebSocket(
        options.url,
        options.mode === 'graphql' ? 'graphql-transport-ws' : undefined,
      );
      sockets[i] = ws;
      ws.on('error', () => {
        errors++;
        resolve();
      });
      ws.on('open', () => {
        if (options.mode === 'bare') return resolve();
        ws.send(
          JSON.stringify({
            type: 'connection_init',
            payload: { authorization: `Bearer ${options.token}` },
          }),
        );
      });
      ws.on('message', (raw) => {
        const at = now();
        if (options.mode === 'bare') {
          received[i]++;
          lastAt[i] = at;
          return;
        }
        const message = JSON.parse(String(raw)) as { type: string };
        if (message.type === 'connection_ack') {
          ws.send(
            JSON.stringify({
              id: '1',
              type: 'subscribe',
              payload: { query: options.query, variables: options.variables },
            }),
          );
          resolve();
        } else if (message.type === 'next') {
          received[i]++;
          lastAt[i] = at;
        } else if (message.type === 'error') {
          errors++;
        }
      });
    });

  // A few hundred handshakes at a time: a SYN flood of thousands would measure the kernel.
  const BATCH = 250;
  for (let start = 0; start < options.count; start += BATCH) {
    await Promise.all(
      Array.from({ length: Math.min(BATCH, options.count - start) }, (_, k) => open(start + k)),
    );
  }

  let marked: number[] = [...received];
  serveChild(
    { pid: process.pid },
    {
      /** Open sockets, errors, and how many clients have received at least one message. */
      status: () => ({
        open: sockets.filter((s) => s.readyState === WebSocket.OPEN).length,
        errors,
        anyMessage: received.filter((r) => r > 0).length,
      }),
      /** Remembers each client's count: `since` then reports the next message only. */
      mark: () => {
        marked = [...received];
      },
      /** Receive stamps (absolute ms) of clients that got a message since `mark`. */
      since: () => lastAt.filter((_, i) => received[i] > marked[i]),
    },
    async () => {
      for (const s of sockets) s.terminate();
    },
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
