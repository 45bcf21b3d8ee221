// Baseline of the fan-out bench: a bare `ws` server on node:http. `POST /broadcast` sends one
// message (of the size a graphql-ws `next` carries in the real run) to every open socket.
//   node scripts/run-ts.js bench/lib/bare-ws.ts <message-bytes>
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { HOST, serveChild } from './harness';

async function main(): Promise<void> {
  const size = Number(process.argv[2] ?? 300);
  const message = JSON.stringify({ type: 'next', id: '1', payload: { data: 'x'.repeat(size) } });
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      for (const client of wss.clients) client.send(message);
      res.end('ok');
    });
  });
  const wss = new WebSocketServer({ server });
  await new Promise<void>((resolve) => server.listen(0, HOST, resolve));
  const { port } = server.address() as AddressInfo;
  serveChild({ url: `http://${HOST}:${port}`, ws: `ws://${HOST}:${port}` }, {}, async () => {
    for (const client of wss.clients) client.terminate();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
