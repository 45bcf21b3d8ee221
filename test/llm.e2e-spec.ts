import request from 'supertest';
import { APP_CONFIG } from '../src/config/config.module';
import type { AppConfig } from '../src/config/env';
import { AppCache } from '../src/infra/cache/app-cache';
import { LlmUsageService } from '../src/infra/llm/llm-usage.service';
import { LlmClient } from '../src/infra/llm/llm.client';
import { LlmRequest, LlmToolDefinition, LlmUnavailableError } from '../src/infra/llm/llm.types';
import { MetricsService } from '../src/infra/metrics/metrics.service';
import { FakeOpenAI, startFakeOpenAI } from './support/fake-openai';
import { registerUser } from './support/factories';
import { bootTestApp, TestApp } from './support/test-app';

const BUDGET = 5_000;
const TIMEOUT_MS = 400;
const MAX_RETRIES = 2;
const OPEN_MS = 400;

const TOOLS: LlmToolDefinition[] = [
  {
    name: 'grant_experience',
    description: 'Grant experience points to the acting character.',
    parameters: {
      type: 'object',
      additionalProperties: false,
      required: ['amount'],
      properties: { amount: { type: 'integer' } },
    },
  },
  {
    name: 'travel',
    description: 'Move the acting character through an exit.',
    parameters: {
      type: 'object',
      additionalProperties: false,
      required: ['locationId'],
      properties: { locationId: { type: 'string' } },
    },
  },
];

const ask = (over: Partial<LlmRequest> = {}): LlmRequest => ({
  purpose: 'turn',
  messages: [
    { role: 'system', content: 'You are the game master.' },
    { role: 'user', content: 'I look around.' },
  ],
  ...over,
});

/** The LlmUnavailableError a call ends in (failing the test when it answers). */
async function failure(call: Promise<unknown>): Promise<LlmUnavailableError> {
  let answer: unknown;
  try {
    answer = await call;
  } catch (error) {
    expect(error).toBeInstanceOf(LlmUnavailableError);
    return error as LlmUnavailableError;
  }
  throw new Error(`expected the call to fail, got ${JSON.stringify(answer).slice(0, 300)}`);
}

const USAGE = `query { me { id llmUsage {
  today { requests promptTokens completionTokens cacheHits }
  total { requests promptTokens completionTokens cacheHits }
  dailyTokenBudget remainingTokensToday } } }`;

describe('LLM client against a real OpenAI-compatible HTTP server', () => {
  let fake: FakeOpenAI;
  let app: TestApp;
  let llm: LlmClient;
  let config: AppConfig;

  /** A client like the app's with other settings (tool mode, circuit), sharing its services. */
  const clientWith = (over: Partial<AppConfig['llm']>): LlmClient =>
    new LlmClient(
      { ...config, llm: { ...config.llm, ...over } },
      app.running.app.get(LlmUsageService),
      app.running.app.get(AppCache),
      app.running.app.get(MetricsService),
    );

  beforeAll(async () => {
    fake = await startFakeOpenAI();
    app = await bootTestApp({
      OPENAI_BASE_URL: fake.url,
      OPENAI_API_KEY: 'test-key',
      OPENAI_MODEL: 'base-model',
      OPENAI_NARRATION_MODEL: 'narrator-model',
      OPENAI_QUEST_MODEL: 'quest-model',
      LLM_TIMEOUT_MS: String(TIMEOUT_MS),
      LLM_MAX_RETRIES: String(MAX_RETRIES),
      LLM_RETRY_BASE_MS: '10',
      LLM_RETRY_MAX_MS: '40',
      LLM_CIRCUIT_FAILURES: '3',
      LLM_CIRCUIT_OPEN_MS: String(OPEN_MS),
      LLM_DAILY_TOKEN_BUDGET: String(BUDGET),
    });
    llm = app.running.app.get(LlmClient);
    config = app.running.app.get<AppConfig>(APP_CONFIG);
  });

  afterAll(async () => {
    await app?.close();
    await fake?.close();
  });

  beforeEach(() => {
    fake.reset();
    // Each test starts with a healthy provider, whatever the previous one did to it.
    llm.breaker.success();
  });

  it('answers a plain call: content, usage, model by purpose, key sent, SDK retries off', async () => {
    fake.enqueue({
      content: 'The square is busy.',
      usage: { prompt_tokens: 12, completion_tokens: 5 },
    });
    const res = await llm.complete(ask());
    expect(res).toMatchObject({
      content: 'The square is busy.',
      toolCalls: [],
      model: 'narrator-model',
      usage: { promptTokens: 12, completionTokens: 5 },
      retries: 0,
      cached: false,
      finishReason: 'stop',
    });
    expect(fake.requests).toHaveLength(1);
    expect(fake.requests[0]).toMatchObject({
      model: 'narrator-model',
      messages: [
        { role: 'system', content: 'You are the game master.' },
        { role: 'user', content: 'I look around.' },
      ],
    });
    expect(fake.requests[0].stream).toBeFalsy();
    expect(fake.requests[0].tools).toBeUndefined();
    expect(fake.log[0].headers.authorization).toBe('Bearer test-key');

    expect(llm.modelFor('quest')).toBe('quest-model');
    expect(llm.modelFor('summary')).toBe('base-model');
    expect(llm.modelFor('dialogue')).toBe('narrator-model');
    fake.enqueue({ content: '{}' });
    await llm.complete(ask({ purpose: 'summary' }));
    expect(fake.requests[1].model).toBe('base-model');
  });

  it('streams deltas in order; their concatenation is the content', async () => {
    const text = 'Rain drums on the tiles of the old square while a bard tunes a lute by the well.';
    fake.enqueue({
      content: text,
      chunks: text.split(/(?<= )/),
      usage: { prompt_tokens: 30, completion_tokens: 20 },
    });
    const deltas: string[] = [];
    const res = await llm.complete(ask({ onDelta: (d) => deltas.push(d) }));
    expect(deltas).toEqual(text.split(/(?<= )/));
    expect(deltas.join('')).toBe(res.content);
    expect(res.content).toBe(text);
    expect(res.usage).toEqual({ promptTokens: 30, completionTokens: 20 });
    expect(fake.requests[0]).toMatchObject({
      stream: true,
      stream_options: { include_usage: true },
    });
  });

  it('assembles tool calls from streamed fragments and offers native function tools', async () => {
    fake.enqueue({
      content: 'You head north.',
      toolCalls: [
        { id: 'call_a', name: 'travel', arguments: { locationId: 'woodsedge' } },
        { id: 'call_b', name: 'grant_experience', arguments: '{"amount": 15}' },
      ],
    });
    const deltas: string[] = [];
    const res = await llm.complete(ask({ tools: TOOLS, onDelta: (d) => deltas.push(d) }));
    expect(res.toolCalls).toEqual([
      { id: 'call_a', name: 'travel', arguments: '{"locationId":"woodsedge"}' },
      { id: 'call_b', name: 'grant_experience', arguments: '{"amount": 15}' },
    ]);
    expect(res.finishReason).toBe('tool_calls');
    expect(deltas.join('')).toBe('You head north.');
    expect(fake.requests[0].tool_choice).toBe('auto');
    expect(fake.requests[0].tools).toEqual(
      TOOLS.map((t) => ({
        type: 'function',
        function: { name: t.name, description: t.description, parameters: t.parameters },
      })),
    );

    // The same, not streamed.
    fake.enqueue({
      toolCalls: [{ id: 'call_c', name: 'travel', arguments: { locationId: 'inn' } }],
    });
    const plain = await llm.complete(ask({ tools: TOOLS }));
    expect(plain.content).toBe('');
    expect(plain.toolCalls).toEqual([
      { id: 'call_c', name: 'travel', arguments: '{"locationId":"inn"}' },
    ]);
  });

  it('handles 100 tool calls in one streamed reply, in order', async () => {
    const calls = Array.from({ length: 100 }, (_, i) => ({
      id: `call_${i}`,
      name: 'grant_experience',
      arguments: { amount: i },
    }));
    fake.enqueue({ content: 'A flood of rewards.', toolCalls: calls });
    const res = await llm.complete(ask({ tools: TOOLS, onDelta: () => undefined }));
    expect(res.toolCalls).toHaveLength(100);
    expect(res.toolCalls.map((c) => JSON.parse(c.arguments).amount)).toEqual(
      Array.from({ length: 100 }, (_, i) => i),
    );
    expect(new Set(res.toolCalls.map((c) => c.id)).size).toBe(100);
  });

  it('JSON tool mode: asks for a strict JSON schema, parses narrative and calls, one delta', async () => {
    const json = clientWith({ toolMode: 'json' });
    fake.enqueue({
      content: JSON.stringify({
        narrative: 'You feel wiser.',
        toolCalls: [
          { name: 'grant_experience', arguments: { amount: 10 } },
          { name: 'travel', arguments: { locationId: 'woodsedge' } },
        ],
      }),
    });
    const deltas: string[] = [];
    const res = await json.complete(ask({ tools: TOOLS, onDelta: (d) => deltas.push(d) }));
    expect(res.content).toBe('You feel wiser.');
    expect(res.toolCalls).toEqual([
      { id: 'json-0', name: 'grant_experience', arguments: '{"amount":10}' },
      { id: 'json-1', name: 'travel', arguments: '{"locationId":"woodsedge"}' },
    ]);
    expect(deltas).toEqual(['You feel wiser.']);
    const body = fake.requests[0];
    expect(body.tools).toBeUndefined();
    expect(body.stream).toBeFalsy();
    expect(body.response_format).toMatchObject({
      type: 'json_schema',
      json_schema: { name: 'game_master_reply', strict: true },
    });
    expect(body.response_format.json_schema.schema.required).toEqual(['narrative', 'toolCalls']);
    expect(JSON.stringify(body.messages)).toContain('grant_experience');

    // Not the JSON asked for: bad_response at once (the caller repairs), no retry.
    fake.enqueue({ content: 'Once upon a time, no JSON.' }, { content: '{"narrative":"x"}' });
    const error = await failure(json.complete(ask({ tools: TOOLS })));
    expect(error.reason).toBe('bad_response');
    expect(fake.requests).toHaveLength(2);
  });

  it('passes a response schema through for structured output', async () => {
    const schema = {
      type: 'object',
      properties: { title: { type: 'string' } },
      required: ['title'],
    };
    fake.enqueue({ content: '{"title":"The Lost Ring"}' });
    const res = await llm.complete(
      ask({ purpose: 'quest', responseSchema: { name: 'quest', schema } }),
    );
    expect(JSON.parse(res.content)).toEqual({ title: 'The Lost Ring' });
    expect(fake.requests[0]).toMatchObject({
      model: 'quest-model',
      response_format: {
        type: 'json_schema',
        json_schema: { name: 'quest', schema, strict: true },
      },
    });
  });

  it('429 with Retry-After: waits as asked, then succeeds', async () => {
    fake.enqueue({ status: 429, retryAfter: 1 }, { content: 'Patience rewarded.' });
    const res = await llm.complete(ask({ deadline: Date.now() + 5_000 }));
    expect(res.content).toBe('Patience rewarded.');
    expect(res.retries).toBe(1);
    expect(fake.log).toHaveLength(2);
    expect(fake.log[1].at - fake.log[0].at).toBeGreaterThanOrEqual(1_000);
  });

  it('429 whose Retry-After crosses the deadline fails at once as rate_limited', async () => {
    fake.enqueue({ status: 429, retryAfter: 30 }, { content: 'too late' });
    const started = Date.now();
    const error = await failure(llm.complete(ask({ deadline: Date.now() + 2_000 })));
    expect(error.reason).toBe('rate_limited');
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(fake.requests).toHaveLength(1);
  });

  it('honours retry-after-ms', async () => {
    fake.enqueue({ status: 503, retryAfterMs: 300 }, { content: 'back' });
    const res = await llm.complete(ask());
    expect(res.content).toBe('back');
    expect(fake.log[1].at - fake.log[0].at).toBeGreaterThanOrEqual(300);
  });

  it('500 is retried, then succeeds', async () => {
    fake.enqueue({ status: 500 }, { content: 'Recovered.' });
    const res = await llm.complete(ask());
    expect(res).toMatchObject({ content: 'Recovered.', retries: 1 });
    expect(fake.requests).toHaveLength(2);
  });

  it('persistent 500 ends in provider_error after exactly 1 + LLM_MAX_RETRIES requests', async () => {
    fake.respondWith(() => ({ status: 500, errorMessage: 'secret internal detail' }));
    const error = await failure(llm.complete(ask()));
    expect(error.reason).toBe('provider_error');
    expect(error.message).not.toContain('secret internal detail');
    expect(fake.requests).toHaveLength(1 + MAX_RETRIES);
  });

  it('400 and 401 are not retried', async () => {
    fake.enqueue({ status: 400 }, { content: 'never' });
    expect((await failure(llm.complete(ask()))).reason).toBe('provider_error');
    expect(fake.requests).toHaveLength(1);
    fake.reset();
    fake.enqueue({ status: 401 }, { content: 'never' });
    expect((await failure(llm.complete(ask()))).reason).toBe('provider_error');
    expect(fake.requests).toHaveLength(1);
    // A bad key fails every call alike: it counts toward the circuit; a bad request does not.
    expect(llm.breaker.consecutiveFailures).toBe(1);
  });

  it('a hanging provider ends in timeout by the deadline', async () => {
    fake.respondWith(() => ({ hang: true }));
    const started = Date.now();
    const error = await failure(llm.complete(ask({ deadline: started + 250 })));
    expect(error.reason).toBe('timeout');
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(240);
    // Slack for a loaded machine; the point is: nowhere near 1 + LLM_MAX_RETRIES timeouts.
    expect(elapsed).toBeLessThan(250 + 750);
    expect(fake.requests).toHaveLength(1);
  });

  it('without a deadline each attempt is cut at LLM_TIMEOUT_MS and retried', async () => {
    fake.respondWith(() => ({ hang: true }));
    const started = Date.now();
    const error = await failure(llm.complete(ask()));
    expect(error.reason).toBe('timeout');
    expect(fake.requests).toHaveLength(1 + MAX_RETRIES);
    expect(Date.now() - started).toBeGreaterThanOrEqual(TIMEOUT_MS * (1 + MAX_RETRIES));
  });

  it('a slow start within the timeout is fine; a stream slower than the timeout is cut', async () => {
    fake.enqueue({ content: 'Slowly, but surely.', delayMs: TIMEOUT_MS / 2 });
    expect((await llm.complete(ask())).content).toBe('Slowly, but surely.');

    fake.reset();
    const pieces = Array.from({ length: 10 }, (_, i) => `piece ${i}. `);
    fake.enqueue({ content: pieces.join(''), chunks: pieces, chunkDelayMs: TIMEOUT_MS / 4 });
    const deltas: string[] = [];
    const error = await failure(llm.complete(ask({ onDelta: (d) => deltas.push(d) })));
    expect(error.reason).toBe('timeout');
    expect(deltas.length).toBeGreaterThan(0);
    expect(deltas.length).toBeLessThan(10);
    // Text was shown: no second attempt.
    expect(fake.requests).toHaveLength(1);
  });

  it('a stream dropped after text was delivered fails, and is not retried', async () => {
    const text = 'The bridge groans under your weight, and then the planks begin to split apart.';
    fake.enqueue(
      { content: text, chunks: text.split(/(?<= )/), dropAfterChunks: 4 },
      { content: 'should never be asked for' },
    );
    const deltas: string[] = [];
    const error = await failure(llm.complete(ask({ onDelta: (d) => deltas.push(d) })));
    expect(error.reason).toBe('provider_error');
    expect(deltas).toEqual(text.split(/(?<= )/).slice(0, 3));
    expect(fake.requests).toHaveLength(1);
  });

  it('a stream dropped before any text is retried', async () => {
    fake.enqueue({ content: 'lost', dropAfterChunks: 1 }, { content: 'Second try.' });
    const deltas: string[] = [];
    const res = await llm.complete(ask({ onDelta: (d) => deltas.push(d) }));
    expect(res).toMatchObject({ content: 'Second try.', retries: 1 });
    expect(deltas.join('')).toBe('Second try.');
  });

  it('malformed JSON bodies and SSE data are bad_response, not retried', async () => {
    fake.enqueue({ malformed: true }, { content: 'never' });
    expect((await failure(llm.complete(ask()))).reason).toBe('bad_response');
    expect(fake.requests).toHaveLength(1);
    fake.reset();
    fake.enqueue({ content: 'abc def ghi', malformed: true }, { content: 'never' });
    expect((await failure(llm.complete(ask({ onDelta: () => undefined })))).reason).toBe(
      'bad_response',
    );
    expect(fake.requests).toHaveLength(1);
  });

  it('the circuit opens after N failed calls, refuses without HTTP, then closes after a probe', async () => {
    fake.respondWith(() => ({ status: 500 }));
    for (let i = 0; i < 3; i++) {
      expect((await failure(llm.complete(ask()))).reason).toBe('provider_error');
    }
    expect(fake.requests).toHaveLength(3 * (1 + MAX_RETRIES));
    const health = await request(app.url).get('/health');
    expect(health.body.checks.llm).toBe('degraded');

    fake.reset();
    fake.enqueue({ content: 'I am back.' });
    const started = Date.now();
    expect((await failure(llm.complete(ask()))).reason).toBe('circuit_open');
    expect(Date.now() - started).toBeLessThan(OPEN_MS);
    expect(fake.requests).toHaveLength(0);

    await new Promise((r) => setTimeout(r, OPEN_MS));
    const res = await llm.complete(ask());
    expect(res.content).toBe('I am back.');
    expect(fake.requests).toHaveLength(1);
    expect((await request(app.url).get('/health')).body.checks.llm).toBe('ok');
  });

  it('a failed probe reopens the circuit for another full period', async () => {
    const client = clientWith({ circuitFailures: 1, circuitOpenMs: 200, maxRetries: 0 });
    fake.respondWith(() => ({ status: 502 }));
    await failure(client.complete(ask()));
    expect((await failure(client.complete(ask()))).reason).toBe('circuit_open');
    await new Promise((r) => setTimeout(r, 200));
    expect((await failure(client.complete(ask()))).reason).toBe('provider_error');
    expect((await failure(client.complete(ask()))).reason).toBe('circuit_open');
    expect(fake.requests).toHaveLength(2);
  });

  it('records usage per call and shows it on me { llmUsage }', async () => {
    const user = await registerUser(app);
    let res = await app.gql(USAGE, {}, user.accessToken);
    expect(res.errors).toBeUndefined();
    expect(res.data!.me.llmUsage).toEqual({
      today: { requests: 0, promptTokens: 0, completionTokens: 0, cacheHits: 0 },
      total: { requests: 0, promptTokens: 0, completionTokens: 0, cacheHits: 0 },
      dailyTokenBudget: BUDGET,
      remainingTokensToday: BUDGET,
    });

    fake.respondWith(() => ({
      content: 'ok',
      usage: { prompt_tokens: 100, completion_tokens: 25 },
    }));
    await llm.complete(ask({ userId: user.id }));
    await llm.complete(ask({ userId: user.id, onDelta: () => undefined }));
    // A call without a user is nobody's usage.
    await llm.complete(ask());

    res = await app.gql(USAGE, {}, user.accessToken);
    const counts = { requests: 2, promptTokens: 200, completionTokens: 50, cacheHits: 0 };
    expect(res.data!.me.llmUsage).toEqual({
      today: counts,
      total: counts,
      dailyTokenBudget: BUDGET,
      remainingTokensToday: BUDGET - 250,
    });

    // Older days count in the total, not today.
    await app.sql(
      `insert into llm_usage (user_id, day, requests, prompt_tokens, completion_tokens, cache_hits)
       values (?, '2026-01-01', 7, 700, 70, 1)`,
      [user.id],
    );
    res = await app.gql(USAGE, {}, user.accessToken);
    expect(res.data!.me.llmUsage.today).toEqual(counts);
    expect(res.data!.me.llmUsage.total).toEqual({
      requests: 9,
      promptTokens: 900,
      completionTokens: 120,
      cacheHits: 1,
    });

    // Another account sees only its own.
    const other = await registerUser(app);
    res = await app.gql(USAGE, {}, other.accessToken);
    expect(res.data!.me.llmUsage.total.requests).toBe(0);
  });

  it('concurrent usage records never lose counts', async () => {
    const user = await registerUser(app);
    const usage = app.running.app.get(LlmUsageService);
    await Promise.all(
      Array.from({ length: 40 }, () =>
        usage.record(user.id, { requests: 1, promptTokens: 3, completionTokens: 2, cacheHits: 1 }),
      ),
    );
    const report = await usage.report(user.id);
    expect(report.today).toEqual({
      requests: 40,
      promptTokens: 120,
      completionTokens: 80,
      cacheHits: 40,
    });
  });

  it('over the daily budget: budget_exceeded with no HTTP request', async () => {
    const user = await registerUser(app);
    fake.respondWith(() => ({
      content: 'expensive',
      usage: { prompt_tokens: BUDGET - 10, completion_tokens: 10 },
    }));
    await llm.complete(ask({ userId: user.id }));
    expect(fake.requests).toHaveLength(1);

    const error = await failure(llm.complete(ask({ userId: user.id })));
    expect(error.reason).toBe('budget_exceeded');
    expect(fake.requests).toHaveLength(1);

    const res = await app.gql(USAGE, {}, user.accessToken);
    expect(res.data!.me.llmUsage.remainingTokensToday).toBe(0);

    // Other accounts still play.
    const other = await registerUser(app);
    await llm.complete(ask({ userId: other.id }));
    expect(fake.requests).toHaveLength(2);
  });

  it('caches one-off texts by prompt: identical prompt hits, another prompt misses', async () => {
    const user = await registerUser(app);
    const tag = `${Date.now()}-${Math.random()}`;
    const describe = (place: string): LlmRequest =>
      ask({
        purpose: 'description',
        userId: user.id,
        cache: { ttlSeconds: 60 },
        messages: [{ role: 'user', content: `Describe ${place} (${tag}).` }],
      });
    fake.respondWith((body) => ({
      content: `Description of: ${body.messages[0].content}`,
      usage: { prompt_tokens: 40, completion_tokens: 60 },
    }));

    const first = await llm.complete(describe('the old mill'));
    expect(first.cached).toBe(false);
    const deltas: string[] = [];
    const second = await llm.complete({
      ...describe('the old mill'),
      onDelta: (d) => deltas.push(d),
    });
    expect(second).toMatchObject({
      cached: true,
      content: first.content,
      usage: { promptTokens: 0, completionTokens: 0 },
    });
    expect(deltas).toEqual([first.content]);
    expect(fake.requests).toHaveLength(1);

    const other = await llm.complete(describe('the chapel'));
    expect(other.cached).toBe(false);
    expect(other.content).toContain('the chapel');
    expect(fake.requests).toHaveLength(2);

    // An explicit key is shared by different prompts.
    const key = `place:${tag}`;
    await llm.complete({ ...describe('a'), cache: { ttlSeconds: 60, key } });
    const byKey = await llm.complete({ ...describe('b'), cache: { ttlSeconds: 60, key } });
    expect(byKey.cached).toBe(true);
    expect(fake.requests).toHaveLength(3);

    const res = await app.gql(USAGE, {}, user.accessToken);
    expect(res.data!.me.llmUsage.today).toEqual({
      requests: 3,
      promptTokens: 120,
      completionTokens: 180,
      cacheHits: 2,
    });
  });

  it('a cache hit is served even over budget and while the circuit is open', async () => {
    const user = await registerUser(app);
    const req = ask({
      purpose: 'description',
      userId: user.id,
      cache: { ttlSeconds: 60 },
      messages: [{ role: 'user', content: `Describe the tower ${Math.random()}` }],
    });
    fake.enqueue({
      content: 'A tall tower.',
      usage: { prompt_tokens: BUDGET, completion_tokens: 1 },
    });
    await llm.complete(req);
    for (let i = 0; i < 3; i++) llm.breaker.failure();
    expect((await llm.complete(req)).cached).toBe(true);
    expect(fake.requests).toHaveLength(1);
  });

  it('handles 1 MB of content, streamed and not, and a 1 MB prompt', async () => {
    const big = 'x'.repeat(1024 * 1024);
    fake.enqueue({ content: big });
    const plain = await llm.complete(ask({ messages: [{ role: 'user', content: big }] }));
    expect(plain.content).toBe(big);
    expect(fake.requests[0].messages[0].content).toHaveLength(big.length);

    fake.enqueue({ content: big });
    let received = 0;
    const streamed = await llm.complete(ask({ onDelta: (d) => (received += d.length) }));
    expect(streamed.content).toBe(big);
    expect(received).toBe(big.length);
  });

  it('a cancelled call stops at once and does not count against the provider', async () => {
    fake.respondWith(() => ({ hang: true }));
    const controller = new AbortController();
    const pending = failure(llm.complete(ask({ signal: controller.signal })));
    while (fake.requests.length === 0) await new Promise((r) => setTimeout(r, 5));
    const started = Date.now();
    controller.abort();
    const error = await pending;
    expect(error.reason).toBe('timeout');
    expect(Date.now() - started).toBeLessThan(TIMEOUT_MS);
    expect(fake.requests).toHaveLength(1);
    expect(llm.breaker.consecutiveFailures).toBe(0);
  });

  it('a caller that aborts at its own deadline counts as a timeout against the provider', async () => {
    fake.respondWith(() => ({ hang: true }));
    const deadline = Date.now() + 150;
    const controller = new AbortController();
    setTimeout(() => controller.abort(), deadline - Date.now());
    const error = await failure(llm.complete(ask({ deadline, signal: controller.signal })));
    expect(error.reason).toBe('timeout');
    expect(llm.breaker.consecutiveFailures).toBe(1);
  });

  it('a deadline already past fails at once, without a request and without blaming the provider', async () => {
    const error = await failure(llm.complete(ask({ deadline: Date.now() - 1 })));
    expect(error.reason).toBe('timeout');
    expect(fake.requests).toHaveLength(0);
    expect(llm.breaker.consecutiveFailures).toBe(0);
  });

  it('not configured: not_configured, and /health says ok (the offline game master answers)', async () => {
    const offline = clientWith({ baseUrl: undefined, apiKey: undefined });
    expect(offline.configured).toBe(false);
    expect((await failure(offline.complete(ask()))).reason).toBe('not_configured');
    expect(fake.requests).toHaveLength(0);
  });

  it('exposes retries and failures as metrics', async () => {
    fake.enqueue({ status: 500 }, { content: 'fine' });
    await llm.complete(ask({ purpose: 'dialogue' }));
    const metrics = await app.running.app.get(MetricsService).render();
    expect(metrics).toMatch(/loremaster_llm_retries_total\{purpose="dialogue"\} [1-9]/);
    expect(metrics).toMatch(/loremaster_llm_tokens_total\{purpose="dialogue",kind="completion"\}/);
    expect(metrics).toMatch(
      /loremaster_llm_request_duration_seconds_count\{purpose="dialogue",outcome="ok"\}/,
    );
    expect(metrics).not.toContain('test-key');
  });
});
