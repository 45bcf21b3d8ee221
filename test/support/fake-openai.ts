import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { resolve } from 'node:path';

/**
 * A small, real OpenAI-compatible server (chat completions, streamed or not,
 * tool calls, JSON mode, GET /models) for tests and benchmarks: the real
 * `openai` SDK talks to it over real HTTP. Replies are scripted per request.
 *
 *   const fake = await startFakeOpenAI();
 *   fake.enqueue({ content: 'Hello' }, { status: 429, retryAfter: 1 });
 *   // OPENAI_BASE_URL=fake.url
 *
 * Standalone, for manual play and benchmarks (answers instantly):
 *   node scripts/run-ts.js test/support/fake-openai.ts --port 4010
 */

export interface FakeToolCall {
  id?: string;
  name: string;
  /** Raw JSON text, or an object that is serialised. */
  arguments: string | Record<string, unknown>;
}

export interface FakeUsage {
  prompt_tokens: number;
  completion_tokens: number;
}

export interface FakeReply {
  content?: string;
  toolCalls?: FakeToolCall[];
  /** Token counts to report; `false` reports none. Default: 4 characters a token. */
  usage?: FakeUsage | false;
  /** Wait before sending the response headers. */
  delayMs?: number;
  /** Wait between streamed chunks. */
  chunkDelayMs?: number;
  /** Explicit content pieces for streaming (default: split in up to 64 pieces). */
  chunks?: string[];
  /** An error status (429, 500 ...) with an OpenAI-style error body. */
  status?: number;
  /** `Retry-After` header, in seconds. */
  retryAfter?: number;
  /** `retry-after-ms` header. */
  retryAfterMs?: number;
  errorMessage?: string;
  /** Never answer (the socket stays open until the client gives up). */
  hang?: boolean;
  /** Stream this many SSE chunks, then destroy the socket. */
  dropAfterChunks?: number;
  /** Invalid JSON body (non-streamed) or invalid SSE data (streamed). */
  malformed?: boolean;
  finishReason?: string;
  model?: string;
}

export interface FakeRequestRecord {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  /** Epoch ms when the request arrived. */
  at: number;
  body: any;
}

export interface FakeOpenAI {
  /** Base URL for OPENAI_BASE_URL (ends in `/v1`). */
  url: string;
  port: number;
  /** Parsed bodies of the chat-completion requests received, in order. */
  requests: any[];
  /** Every chat-completion request with its arrival time and headers. */
  log: FakeRequestRecord[];
  /** Replies consumed in order, one per chat-completion request. */
  enqueue(...replies: FakeReply[]): void;
  /** The reply when the queue is empty. */
  respondWith(fn: (body: any, requestIndex: number) => FakeReply): void;
  /** Forget requests, queue and default; hanging requests are cut. */
  reset(): void;
  close(): Promise<void>;
}

const DEFAULT_MODEL = 'fake-model';
export const DEFAULT_NARRATIVE =
  'The lantern light wavers as the world holds its breath. Nothing else happens, for now.';

export async function startFakeOpenAI(
  options: { port?: number; host?: string } = {},
): Promise<FakeOpenAI> {
  const queue: FakeReply[] = [];
  const requests: any[] = [];
  const log: FakeRequestRecord[] = [];
  const sockets = new Set<Socket>();
  const hanging = new Set<ServerResponse>();
  let fallback: (body: any, index: number) => FakeReply = defaultReply;
  let counter = 0;

  const server: Server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500).end();
      else res.destroy();
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0].replace(/\/+$/, '');
    if (req.method === 'GET' && path === '/v1/models') {
      return json(res, 200, {
        object: 'list',
        data: [{ id: DEFAULT_MODEL, object: 'model', created: 0, owned_by: 'fake' }],
      });
    }
    if (req.method !== 'POST' || path !== '/v1/chat/completions') {
      return json(res, 404, { error: { message: 'Not found', type: 'invalid_request_error' } });
    }
    const at = Date.now();
    const raw = await readBody(req);
    let body: any;
    try {
      body = JSON.parse(raw);
    } catch {
      return json(res, 400, { error: { message: 'Invalid JSON', type: 'invalid_request_error' } });
    }
    const index = counter++;
    requests.push(body);
    log.push({ method: req.method, path, headers: req.headers, at, body });
    const reply = queue.shift() ?? fallback(body, index);

    if (reply.hang) {
      hanging.add(res);
      res.on('close', () => hanging.delete(res));
      return;
    }
    if (reply.delayMs) await sleep(reply.delayMs);
    if (res.destroyed) return;
    if (reply.status && reply.status >= 400) {
      const headers: Record<string, string> = {};
      if (reply.retryAfter !== undefined) headers['retry-after'] = String(reply.retryAfter);
      if (reply.retryAfterMs !== undefined) headers['retry-after-ms'] = String(reply.retryAfterMs);
      return json(
        res,
        reply.status,
        {
          error: {
            message: reply.errorMessage ?? `Fake error ${reply.status}`,
            type: reply.status === 429 ? 'rate_limit_exceeded' : 'server_error',
            code: null,
          },
        },
        headers,
      );
    }
    if (body.stream) return stream(res, body, reply);
    if (reply.malformed) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"id": "chatcmpl-fake", "choices": [ {"message": ');
      return;
    }
    return json(res, 200, completion(body, reply, index));
  }

  async function stream(res: ServerResponse, body: any, reply: FakeReply): Promise<void> {
    res.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
    });
    const id = `chatcmpl-fake-${counter}`;
    const model = reply.model ?? body.model ?? DEFAULT_MODEL;
    const base = { id, object: 'chat.completion.chunk', created: 0, model };
    const events: string[] = [];
    const push = (choices: unknown[], extra: Record<string, unknown> = {}) =>
      events.push(JSON.stringify({ ...base, choices, ...extra }));

    push([{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }]);
    for (const piece of reply.chunks ?? split(reply.content ?? '')) {
      push([{ index: 0, delta: { content: piece }, finish_reason: null }]);
    }
    for (const [i, call] of (reply.toolCalls ?? []).entries()) {
      const args = argumentsText(call);
      push([
        {
          index: 0,
          delta: {
            tool_calls: [
              {
                index: i,
                id: call.id ?? `call_${i}`,
                type: 'function',
                function: { name: call.name, arguments: '' },
              },
            ],
          },
          finish_reason: null,
        },
      ]);
      // Arguments arrive in fragments, as from the real API.
      const third = Math.max(1, Math.ceil(args.length / 3));
      for (let at = 0; at < args.length; at += third) {
        push([
          {
            index: 0,
            delta: {
              tool_calls: [{ index: i, function: { arguments: args.slice(at, at + third) } }],
            },
            finish_reason: null,
          },
        ]);
      }
    }
    push([{ index: 0, delta: {}, finish_reason: finishReasonOf(reply) }]);
    if (body.stream_options?.include_usage && reply.usage !== false) {
      push([], { usage: usageOf(body, reply) });
    }

    for (const [n, event] of events.entries()) {
      if (res.destroyed) return;
      if (reply.dropAfterChunks !== undefined && n >= reply.dropAfterChunks) {
        await drop(res);
        return;
      }
      if (reply.malformed && n === Math.min(1, events.length - 1)) {
        res.write('data: {"id": "broken", "choices": [\n\n');
        continue;
      }
      res.write(`data: ${event}\n\n`);
      if (reply.chunkDelayMs) await sleep(reply.chunkDelayMs);
    }
    if (reply.dropAfterChunks !== undefined) {
      await drop(res);
      return;
    }
    res.end('data: [DONE]\n\n');
  }

  await new Promise<void>((done, fail) => {
    server.once('error', fail);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => done());
  });
  const address = server.address() as AddressInfo;
  const host = options.host ?? '127.0.0.1';

  return {
    url: `http://${host}:${address.port}/v1`,
    port: address.port,
    requests,
    log,
    enqueue: (...replies) => void queue.push(...replies),
    respondWith: (fn) => {
      fallback = fn;
    },
    reset: () => {
      queue.length = 0;
      requests.length = 0;
      log.length = 0;
      counter = 0;
      fallback = defaultReply;
      for (const res of hanging) res.destroy();
      hanging.clear();
    },
    close: async () => {
      for (const res of hanging) res.destroy();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((done) => server.close(() => done()));
    },
  };
}

/** A narrative reply; a JSON one when the request asks for a JSON schema (LLM_TOOL_MODE=json). */
function defaultReply(body: any): FakeReply {
  if (body?.response_format?.type === 'json_schema') {
    return { content: JSON.stringify({ narrative: DEFAULT_NARRATIVE, toolCalls: [] }) };
  }
  return { content: DEFAULT_NARRATIVE };
}

function completion(body: any, reply: FakeReply, index: number) {
  const toolCalls = (reply.toolCalls ?? []).map((call, i) => ({
    id: call.id ?? `call_${i}`,
    type: 'function',
    function: { name: call.name, arguments: argumentsText(call) },
  }));
  return {
    id: `chatcmpl-fake-${index}`,
    object: 'chat.completion',
    created: 0,
    model: reply.model ?? body.model ?? DEFAULT_MODEL,
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content: reply.content ?? (toolCalls.length ? null : ''),
          refusal: null,
          ...(toolCalls.length ? { tool_calls: toolCalls } : {}),
        },
        finish_reason: finishReasonOf(reply),
        logprobs: null,
      },
    ],
    ...(reply.usage === false ? {} : { usage: usageOf(body, reply) }),
  };
}

function finishReasonOf(reply: FakeReply): string {
  return reply.finishReason ?? (reply.toolCalls?.length ? 'tool_calls' : 'stop');
}

function usageOf(body: any, reply: FakeReply) {
  if (reply.usage) {
    return {
      ...reply.usage,
      total_tokens: reply.usage.prompt_tokens + reply.usage.completion_tokens,
    };
  }
  const promptChars = (body.messages ?? []).reduce(
    (sum: number, m: { content?: unknown }) =>
      sum + (typeof m.content === 'string' ? m.content.length : 0),
    0,
  );
  const completionChars =
    (reply.content ?? '').length +
    (reply.toolCalls ?? []).reduce((s, c) => s + c.name.length + argumentsText(c).length, 0);
  const prompt_tokens = Math.max(1, Math.ceil(promptChars / 4));
  const completion_tokens = Math.max(1, Math.ceil(completionChars / 4));
  return { prompt_tokens, completion_tokens, total_tokens: prompt_tokens + completion_tokens };
}

function argumentsText(call: FakeToolCall): string {
  return typeof call.arguments === 'string' ? call.arguments : JSON.stringify(call.arguments);
}

/** Word-sized pieces for short texts, at most 64 pieces for long ones. */
function split(text: string): string[] {
  if (text === '') return [];
  const size = Math.max(8, Math.ceil(text.length / 64));
  const pieces: string[] = [];
  for (let at = 0; at < text.length; at += size) pieces.push(text.slice(at, at + size));
  return pieces;
}

/** Cuts the connection mid-response, after what was written has reached the client. */
async function drop(res: ServerResponse): Promise<void> {
  await new Promise<void>((done) => res.write('', () => done()));
  await sleep(20);
  res.socket?.destroy();
}

function json(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((done, fail) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => done(Buffer.concat(chunks).toString('utf8')));
    req.on('error', fail);
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((done) => setTimeout(done, ms));
}

if (require.main === module || resolve(process.argv[1] ?? '') === __filename) {
  const at = process.argv.indexOf('--port');
  const port = at > 0 ? Number(process.argv[at + 1]) : 4010;
  startFakeOpenAI({ port })
    .then((fake) => {
      console.log(`fake OpenAI-compatible server on ${fake.url} (OPENAI_BASE_URL=${fake.url})`);
      const stop = () => void fake.close().then(() => process.exit(0));
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    })
    .catch((error: unknown) => {
      console.error(error);
      process.exit(1);
    });
}
