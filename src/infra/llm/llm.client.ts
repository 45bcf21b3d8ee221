import { createHash } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import OpenAI, { APIConnectionError, APIError } from 'openai';
import type {
  ChatCompletion,
  ChatCompletionChunk,
  ChatCompletionCreateParamsNonStreaming,
  ChatCompletionCreateParamsStreaming,
  ChatCompletionMessageParam,
  ChatCompletionTool,
} from 'openai/resources/chat/completions';
import { InjectConfig } from '../../config/config.module';
import type { AppConfig } from '../../config/env';
import { AppCache } from '../cache/app-cache';
import { MetricsService } from '../metrics/metrics.service';
import { backoffDelay, retryAfterMs } from './backoff';
import { CircuitBreaker } from './circuit-breaker';
import { jsonModeInstructions, jsonModeSchema, parseJsonModeReply } from './json-tool-mode';
import { LlmUsageService } from './llm-usage.service';
import {
  LlmFailureReason,
  LlmMessage,
  LlmPurpose,
  LlmRequest,
  LlmResponse,
  LlmToolCall,
  LlmUnavailableError,
  LlmUsage,
} from './llm.types';

/** Where a model answer is cached: its own namespace in the app cache. */
const cacheKeyOf = (key: string) => `llm:${key}`;

/** An abort this close to the caller's deadline is the deadline's doing. */
const DEADLINE_SLACK_MS = 10;

/** One failed HTTP attempt, classified. */
class AttemptError extends Error {
  constructor(
    readonly reason: LlmFailureReason,
    message: string,
    /** Worth another attempt (429, 5xx, connection, timeout, dropped stream). */
    readonly retryable: boolean,
    /** Says something about the provider's health (counts toward the circuit breaker). */
    readonly providerFault: boolean,
    /** What the provider asked us to wait (Retry-After), in ms. */
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

type Body = ChatCompletionCreateParamsNonStreaming | ChatCompletionCreateParamsStreaming;

/**
 * The game master's only door to a model: the `openai` SDK against any
 * OpenAI-compatible server, with the SDK's own retries off so that the
 * deadline, the retries (exponential backoff, full jitter, Retry-After), the
 * circuit breaker, the budget, the cache and the metrics are all ours.
 * Every way of not answering in time ends in an LlmUnavailableError.
 */
@Injectable()
export class LlmClient {
  private readonly logger = new Logger(LlmClient.name);
  private readonly sdk?: OpenAI;
  readonly breaker: CircuitBreaker;

  constructor(
    @InjectConfig() private readonly config: AppConfig,
    private readonly usage: LlmUsageService,
    private readonly cache: AppCache,
    private readonly metrics: MetricsService,
  ) {
    const llm = config.llm;
    this.breaker = new CircuitBreaker(llm.circuitFailures, llm.circuitOpenMs);
    if (this.configured) {
      this.sdk = new OpenAI({
        // Local servers (Ollama, llama.cpp) need no key, but the SDK insists on one.
        apiKey: llm.apiKey ?? 'no-key',
        baseURL: llm.baseUrl,
        maxRetries: 0,
        timeout: llm.timeoutMs,
        // Failures are classified and logged here, once, without provider payloads.
        logLevel: 'off',
      });
    }
  }

  /** True when a provider is configured (OPENAI_BASE_URL or OPENAI_API_KEY). */
  get configured(): boolean {
    return Boolean(this.config.llm.baseUrl || this.config.llm.apiKey);
  }

  modelFor(purpose: LlmPurpose): string {
    const llm = this.config.llm;
    switch (purpose) {
      case 'turn':
      case 'dialogue':
      case 'description':
        return llm.narrationModel ?? llm.model;
      case 'quest':
        return llm.questModel ?? llm.model;
      case 'summary':
        return llm.summaryModel ?? llm.model;
    }
  }

  /** The text cached under `key` by an earlier call with `cache: { key }`, without calling the model. */
  async cachedContent(key: string): Promise<string | undefined> {
    const hit = await this.cache.get<LlmResponse>(cacheKeyOf(key));
    return typeof hit?.content === 'string' ? hit.content : undefined;
  }

  /** Drops what was cached under `key` (e.g. an answer the caller could not use). */
  async forget(key: string): Promise<void> {
    await this.cache.del(cacheKeyOf(key));
  }

  async complete(req: LlmRequest): Promise<LlmResponse> {
    const started = Date.now();
    const purpose = req.purpose;
    try {
      const response = await this.run(req, started);
      this.metrics.llmDuration.observe(
        { purpose, outcome: response.cached ? 'cached' : 'ok' },
        (Date.now() - started) / 1000,
      );
      return response;
    } catch (error) {
      const failure =
        error instanceof LlmUnavailableError
          ? error
          : new LlmUnavailableError('provider_error', 'The model call failed unexpectedly');
      if (!(error instanceof LlmUnavailableError)) {
        this.logger.error(`unexpected model call failure: ${(error as Error)?.message}`);
      }
      const outcome =
        failure.reason === 'timeout' || failure.reason === 'circuit_open'
          ? failure.reason
          : failure.reason === 'budget_exceeded'
            ? 'budget_exceeded'
            : 'error';
      this.metrics.llmDuration.observe({ purpose, outcome }, (Date.now() - started) / 1000);
      this.metrics.llmFailures.inc({ purpose, reason: failure.reason });
      throw failure;
    }
  }

  private async run(req: LlmRequest, started: number): Promise<LlmResponse> {
    if (!this.sdk) {
      throw new LlmUnavailableError('not_configured', 'No model provider is configured');
    }
    const model = this.modelFor(req.purpose);
    const body = this.buildBody(req, model);

    const cacheKey = req.cache ? cacheKeyOf(req.cache.key ?? this.promptHash(body)) : undefined;
    if (cacheKey) {
      const hit = await this.cache.get<LlmResponse>(cacheKey);
      if (hit && typeof hit.content === 'string') {
        if (req.userId) await this.usage.record(req.userId, { cacheHits: 1 });
        if (hit.content) this.deliver(req, hit.content);
        return {
          ...hit,
          usage: { promptTokens: 0, completionTokens: 0 },
          latencyMs: Date.now() - started,
          retries: 0,
          cached: true,
        };
      }
    }

    if (req.userId && (await this.usage.overBudget(req.userId, req.tokensSpentToday))) {
      throw new LlmUnavailableError('budget_exceeded', 'The daily token budget is spent');
    }
    if (!this.breaker.tryAcquire()) {
      throw new LlmUnavailableError(
        'circuit_open',
        `The model provider is failing; calls resume in ${Math.ceil(this.breaker.retryInMs / 1000)} s`,
      );
    }

    let result: Omit<LlmResponse, 'latencyMs' | 'cached'>;
    try {
      result = await this.withRetries(req, body, started);
    } catch (error) {
      if (error instanceof AttemptError) {
        if (error.providerFault) this.breaker.failure();
        else this.breaker.release();
        throw new LlmUnavailableError(error.reason, error.message);
      }
      this.breaker.release();
      throw error;
    }
    this.breaker.success();

    const { promptTokens, completionTokens } = result.usage;
    this.metrics.llmTokens.inc({ purpose: req.purpose, kind: 'prompt' }, promptTokens);
    this.metrics.llmTokens.inc({ purpose: req.purpose, kind: 'completion' }, completionTokens);
    if (req.userId) {
      const usage = { requests: 1, promptTokens, completionTokens, cacheHits: 0 };
      if (req.takeUsage) req.takeUsage(usage);
      else await this.usage.record(req.userId, usage);
    }

    let response: LlmResponse = { ...result, latencyMs: Date.now() - started, cached: false };
    if (this.jsonToolMode(req)) {
      const parsed = parseJsonModeReply(response.content);
      if (!parsed) {
        throw new LlmUnavailableError('bad_response', 'The model answer is not the JSON asked for');
      }
      response = { ...response, content: parsed.narrative, toolCalls: parsed.toolCalls };
      if (parsed.narrative) this.deliver(req, parsed.narrative);
    }
    if (cacheKey && req.cache) {
      await this.cache.set(cacheKey, response, req.cache.ttlSeconds * 1000);
    }
    return response;
  }

  /** Attempts until one answers, the retries are spent, or the deadline would be crossed. */
  private async withRetries(
    req: LlmRequest,
    body: Body,
    started: number,
  ): Promise<Omit<LlmResponse, 'latencyMs' | 'cached'>> {
    const llm = this.config.llm;
    const deadline = req.deadline ?? Number.POSITIVE_INFINITY;
    const delivered = { any: false };
    for (let attempt = 0; ; attempt += 1) {
      const remaining = deadline - Date.now();
      if (remaining <= 0) {
        // Out of time before the first attempt is the caller's doing, not the provider's.
        throw new AttemptError(
          'timeout',
          'The model did not answer before the deadline',
          false,
          attempt > 0,
        );
      }
      try {
        const result = await this.attempt(req, body, Math.min(llm.timeoutMs, remaining), delivered);
        return { ...result, retries: attempt };
      } catch (error) {
        const failure = this.classify(error, req);
        if (!failure.retryable || delivered.any || attempt >= llm.maxRetries) throw failure;
        const wait = failure.retryAfterMs ?? backoffDelay(attempt, llm.retryBaseMs, llm.retryMaxMs);
        // A wait that would cross the deadline is a failure now, not later.
        if (Date.now() + wait >= deadline) throw failure;
        this.metrics.llmRetries.inc({ purpose: req.purpose });
        this.logger.debug(
          `model call failed (${failure.reason}), retry ${attempt + 1} in ${wait} ms after ${Date.now() - started} ms`,
        );
        await sleep(wait, req.signal);
        if (req.signal?.aborted) throw failure;
      }
    }
  }

  private async attempt(
    req: LlmRequest,
    body: Body,
    timeoutMs: number,
    delivered: { any: boolean },
  ): Promise<Omit<LlmResponse, 'latencyMs' | 'cached' | 'retries'>> {
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, timeoutMs);
    const onCallerAbort = () => controller.abort();
    req.signal?.addEventListener('abort', onCallerAbort, { once: true });
    // The SDK's own timeout is a backstop only: ours aborts first and is told apart.
    const options = { signal: controller.signal, maxRetries: 0, timeout: timeoutMs + 1_000 };
    try {
      if (body.stream) {
        const stream = await this.sdk!.chat.completions.create(body, options);
        return await this.readStream(stream, body, req, delivered);
      }
      const completion = await this.sdk!.chat.completions.create(body, options);
      return this.readCompletion(completion, body);
    } catch (error) {
      // The SDK ends an aborted stream quietly: the abort's cause is known only here.
      // A caller that aborts at its deadline (racing its own timer against ours) saw a
      // provider too slow, not a change of mind: that counts against the provider.
      if (
        timedOut ||
        (req.deadline !== undefined && Date.now() >= req.deadline - DEADLINE_SLACK_MS)
      ) {
        throw new AttemptError(
          'timeout',
          `The model did not answer within ${timeoutMs} ms`,
          true,
          true,
        );
      }
      if (req.signal?.aborted) {
        throw new AttemptError('timeout', 'The model call was cancelled', false, false);
      }
      throw error;
    } finally {
      clearTimeout(timer);
      req.signal?.removeEventListener('abort', onCallerAbort);
    }
  }

  private readCompletion(
    completion: ChatCompletion,
    body: Body,
  ): Omit<LlmResponse, 'latencyMs' | 'cached' | 'retries'> {
    const choice = completion?.choices?.[0];
    if (!choice || typeof choice !== 'object' || !choice.message) {
      throw new AttemptError('bad_response', 'The provider answered without a choice', false, true);
    }
    const content = typeof choice.message.content === 'string' ? choice.message.content : '';
    const toolCalls: LlmToolCall[] = [];
    for (const [index, call] of (choice.message.tool_calls ?? []).entries()) {
      if (call.type !== 'function' || !call.function) continue;
      toolCalls.push({
        id: call.id || `call-${index}`,
        name: String(call.function.name ?? ''),
        arguments: String(call.function.arguments ?? ''),
      });
    }
    return {
      content,
      toolCalls,
      model: completion.model || body.model,
      usage: this.usageOf(completion.usage, body, content, toolCalls),
      finishReason: choice.finish_reason ?? null,
    };
  }

  private async readStream(
    stream: AsyncIterable<ChatCompletionChunk>,
    body: Body,
    req: LlmRequest,
    delivered: { any: boolean },
  ): Promise<Omit<LlmResponse, 'latencyMs' | 'cached' | 'retries'>> {
    const pieces: string[] = [];
    const calls = new Map<number, { id: string; name: string; arguments: string }>();
    let finishReason: string | null = null;
    let usage: ChatCompletionChunk['usage'];
    let model = body.model;
    for await (const chunk of stream) {
      if (chunk.model) model = chunk.model;
      if (chunk.usage) usage = chunk.usage;
      const choice = chunk.choices?.[0];
      if (!choice) continue;
      const text = choice.delta?.content;
      if (typeof text === 'string' && text.length > 0) {
        pieces.push(text);
        if (req.onDelta) {
          delivered.any = true;
          this.deliver(req, text);
        }
      }
      for (const part of choice.delta?.tool_calls ?? []) {
        const index = typeof part.index === 'number' ? part.index : calls.size;
        const call = calls.get(index) ?? { id: '', name: '', arguments: '' };
        if (part.id) call.id = part.id;
        if (part.function?.name) call.name += part.function.name;
        if (part.function?.arguments) call.arguments += part.function.arguments;
        calls.set(index, call);
      }
      if (choice.finish_reason) finishReason = choice.finish_reason;
    }
    // A stream that ends without a finish reason was cut, however politely.
    if (finishReason === null) {
      throw new AttemptError('provider_error', 'The model stream ended early', true, true);
    }
    const content = pieces.join('');
    const toolCalls = [...calls.entries()]
      .sort(([a], [b]) => a - b)
      .map(([index, call]) => ({ ...call, id: call.id || `call-${index}` }));
    return {
      content,
      toolCalls,
      model,
      usage: this.usageOf(usage, body, content, toolCalls),
      finishReason,
    };
  }

  /** The provider's count; an estimate (4 characters a token) from servers that send none. */
  private usageOf(
    reported: { prompt_tokens?: number; completion_tokens?: number } | null | undefined,
    body: Body,
    content: string,
    toolCalls: LlmToolCall[],
  ): LlmUsage {
    if (reported && Number.isFinite(reported.prompt_tokens)) {
      return {
        promptTokens: Math.max(0, Math.round(reported.prompt_tokens ?? 0)),
        completionTokens: Math.max(0, Math.round(reported.completion_tokens ?? 0)),
      };
    }
    const promptChars = body.messages.reduce(
      (sum, m) => sum + (typeof m.content === 'string' ? m.content.length : 0),
      0,
    );
    const completionChars =
      content.length + toolCalls.reduce((s, c) => s + c.name.length + c.arguments.length, 0);
    return {
      promptTokens: Math.ceil(promptChars / 4),
      completionTokens: Math.ceil(completionChars / 4),
    };
  }

  private classify(error: unknown, req: LlmRequest): AttemptError {
    if (error instanceof AttemptError) return error;
    if (req.signal?.aborted) {
      return new AttemptError('timeout', 'The model call was cancelled', false, false);
    }
    if (error instanceof APIError && typeof error.status === 'number') {
      const status = error.status;
      const wait = retryAfterMs(error.headers);
      if (status === 429) {
        return new AttemptError(
          'rate_limited',
          'The model provider is rate limiting',
          true,
          true,
          wait,
        );
      }
      if (status >= 500 || status === 408 || status === 409) {
        return new AttemptError(
          'provider_error',
          `The model provider answered HTTP ${status}`,
          true,
          true,
          wait,
        );
      }
      // Retrying cannot help. A bad key or model name fails every call alike, so it
      // counts toward the circuit (and shows on /health); a bad request is this call's alone.
      return new AttemptError(
        'provider_error',
        `The model provider refused the call (HTTP ${status})`,
        false,
        status === 401 || status === 403 || status === 404,
      );
    }
    if (error instanceof APIConnectionError || isNetworkError(error)) {
      return new AttemptError(
        'provider_error',
        'The model provider could not be reached',
        true,
        true,
      );
    }
    // By name: under jest the parser's SyntaxError may come from another realm.
    if ((error as Error | null)?.name === 'SyntaxError') {
      return new AttemptError(
        'bad_response',
        'The model provider sent malformed data',
        false,
        true,
      );
    }
    return new AttemptError('provider_error', 'The model call failed', true, true);
  }

  /** A listener that throws (a closed subscription) must not fail the model call. */
  private deliver(req: LlmRequest, text: string): void {
    if (!req.onDelta) return;
    try {
      req.onDelta(text);
    } catch (error) {
      this.logger.warn(`onDelta listener failed: ${(error as Error)?.message}`);
    }
  }

  private jsonToolMode(req: LlmRequest): boolean {
    return (
      this.config.llm.toolMode === 'json' && !req.responseSchema && (req.tools?.length ?? 0) > 0
    );
  }

  private buildBody(req: LlmRequest, model: string): Body {
    const jsonMode = this.jsonToolMode(req);
    const messages = toSdkMessages(req.messages, jsonMode);
    const base = {
      model,
      messages,
      ...(req.maxTokens !== undefined ? { max_tokens: req.maxTokens } : {}),
      ...(req.temperature !== undefined ? { temperature: req.temperature } : {}),
    };
    let extra: Partial<ChatCompletionCreateParamsNonStreaming> = {};
    if (req.responseSchema) {
      extra = {
        response_format: {
          type: 'json_schema',
          json_schema: {
            name: req.responseSchema.name,
            schema: req.responseSchema.schema,
            strict: true,
          },
        },
      };
      if (req.tools?.length && !jsonMode && this.config.llm.toolMode === 'native') {
        extra.tools = toSdkTools(req);
        extra.tool_choice = 'auto';
      }
    } else if (jsonMode) {
      const tools = req.tools ?? [];
      messages.push({ role: 'system', content: jsonModeInstructions(tools) });
      extra = {
        response_format: {
          type: 'json_schema',
          json_schema: { name: 'game_master_reply', schema: jsonModeSchema(tools), strict: true },
        },
      };
    } else if (req.tools?.length) {
      extra = { tools: toSdkTools(req), tool_choice: 'auto' };
    }
    // JSON mode parses the whole answer before anything can be shown: no streaming.
    if (req.onDelta && !jsonMode) {
      return { ...base, ...extra, stream: true, stream_options: { include_usage: true } };
    }
    return { ...base, ...extra, stream: false };
  }

  private promptHash(body: Body): string {
    const {
      stream: _stream,
      stream_options: _options,
      ...prompt
    } = body as Body & {
      stream_options?: unknown;
    };
    return createHash('sha256').update(JSON.stringify(prompt)).digest('hex');
  }
}

function toSdkTools(req: LlmRequest): ChatCompletionTool[] {
  return (req.tools ?? []).map((tool) => ({
    type: 'function',
    function: { name: tool.name, description: tool.description, parameters: tool.parameters },
  }));
}

/** In JSON mode the server knows no tool messages: earlier proposals and results travel as text. */
function toSdkMessages(messages: LlmMessage[], jsonMode: boolean): ChatCompletionMessageParam[] {
  return messages.map((m): ChatCompletionMessageParam => {
    switch (m.role) {
      case 'system':
      case 'user':
        return { role: m.role, content: m.content };
      case 'assistant':
        if (!m.toolCalls?.length) return { role: 'assistant', content: m.content };
        if (jsonMode) {
          return {
            role: 'assistant',
            content: JSON.stringify({
              narrative: m.content,
              toolCalls: m.toolCalls.map((c) => ({
                name: c.name,
                arguments: safeJson(c.arguments),
              })),
            }),
          };
        }
        return {
          role: 'assistant',
          content: m.content,
          tool_calls: m.toolCalls.map((c) => ({
            id: c.id,
            type: 'function',
            function: { name: c.name, arguments: c.arguments },
          })),
        };
      case 'tool':
        if (jsonMode) {
          return { role: 'user', content: `Result of tool call ${m.toolCallId}: ${m.content}` };
        }
        return { role: 'tool', tool_call_id: m.toolCallId, content: m.content };
    }
  });
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function isNetworkError(error: unknown): boolean {
  const e = error as { name?: string; code?: string; cause?: { code?: string } } | null;
  if (!e) return false;
  return (
    e.name === 'TypeError' ||
    ['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'UND_ERR_SOCKET'].includes(
      e.code ?? e.cause?.code ?? '',
    )
  );
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
