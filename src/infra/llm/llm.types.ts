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
  /** When set, the call streams and each piece of narrative text is passed here, in order. */
  onDelta?: (text: string) => void;
  /** Epoch ms by which the call, retries included, must have settled. */
  deadline?: number;
  signal?: AbortSignal;
  /** Whose budget pays and whose usage is recorded. */
  userId?: string;
  playerId?: string;
  /**
   * Serve and store the answer in the cache (never for turns). `key` defaults to
   * a hash of the full prompt (model, messages, tools, schema).
   */
  cache?: { ttlSeconds: number; key?: string };
}

export interface LlmResponse {
  /** Narrative text (in JSON-schema mode: the raw JSON text). */
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
