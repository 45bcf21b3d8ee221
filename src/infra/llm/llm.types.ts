/** Model usage counters, per call or summed (per account and UTC day in llm_usage). */
export interface UsageCounts {
  requests: number;
  promptTokens: number;
  completionTokens: number;
  cacheHits: number;
}

/**
 * The contract between the game master and whatever writes its text: a model
 * behind any OpenAI-compatible server (`LlmClient`), or the offline game master.
 * The game master only ever sees these shapes, never the SDK's.
 */

/** What a call is for: picks the model (OPENAI_MODEL_<PURPOSE> overrides) and labels metrics. */
export type LlmPurpose = 'turn' | 'dialogue' | 'quest' | 'description' | 'summary';

export type JsonSchema = Record<string, unknown>;

export interface LlmToolDefinition {
  name: string;
  description: string;
  /** JSON Schema of the arguments object. */
  parameters: JsonSchema;
}

/** A proposal from the model. `arguments` is the raw JSON text: parsing it is the caller's job. */
export interface LlmToolCall {
  id: string;
  name: string;
  arguments: string;
}

export type LlmMessage =
  | { role: 'system' | 'user'; content: string }
  | { role: 'assistant'; content: string; toolCalls?: LlmToolCall[] }
  | { role: 'tool'; toolCallId: string; content: string };

export interface LlmUsage {
  promptTokens: number;
  completionTokens: number;
}

export interface LlmRequest {
  purpose: LlmPurpose;
  messages: LlmMessage[];
  /** Offered as native tools (or, in JSON mode, as a `toolCalls` array of the response). */
  tools?: LlmToolDefinition[];
  /** Ask for a JSON object matching this schema (`response_format: json_schema`). */
  responseSchema?: { name: string; schema: JsonSchema };
  maxTokens?: number;
  temperature?: number;
  /**
   * When set, the call streams and each piece of narrative text is passed here, in order.
   * Once a piece has been passed the call is never retried (it cannot be unsaid): a
   * failure after that is an LlmUnavailableError. In JSON tool mode and on a cache hit
   * the whole narrative arrives as one piece.
   */
  onDelta?: (text: string) => void;
  /** Epoch ms by which the call, retries included, must have settled. */
  deadline?: number;
  signal?: AbortSignal;
  /**
   * Whose budget pays and whose usage is recorded (LlmUsageService, per UTC day). Over
   * the daily budget the call fails with `budget_exceeded` before any request.
   * Usage is written on its own connection: do not call `complete` inside a transaction
   * (the embedded database has a single connection).
   */
  userId?: string;
  playerId?: string;
  /**
   * The user's tokens spent today, when the caller read them just before (in the
   * same statement as its own reads): the budget check uses them instead of
   * reading again.
   */
  tokensSpentToday?: number;
  /**
   * Handed the call's usage instead of the call writing it: the caller must record
   * it whatever happens next (LlmUsageService.record, or `usageUpsert` in a
   * statement of its own: a turn writes it with its changes, one round trip fewer).
   */
  takeUsage?: (usage: UsageCounts) => void;
  /**
   * Serve and store the answer in the cache (never for turns). `key` defaults to
   * a hash of the full prompt (model, messages, tools, schema).
   */
  cache?: { ttlSeconds: number; key?: string };
}

export interface LlmResponse {
  /**
   * Narrative text. With `responseSchema`: the raw JSON text (the caller parses it).
   * With LLM_TOOL_MODE=json and tools: the parsed `narrative` (tool calls in `toolCalls`).
   */
  content: string;
  toolCalls: LlmToolCall[];
  model: string;
  usage: LlmUsage;
  latencyMs: number;
  retries: number;
  cached: boolean;
  finishReason: string | null;
}

export type LlmFailureReason =
  | 'not_configured'
  | 'circuit_open'
  | 'timeout'
  | 'rate_limited'
  | 'provider_error'
  | 'budget_exceeded'
  | 'bad_response';

/** The model could not answer; the game master falls back to the offline one. */
export class LlmUnavailableError extends Error {
  constructor(
    readonly reason: LlmFailureReason,
    message: string,
  ) {
    super(message);
    this.name = 'LlmUnavailableError';
  }
}
