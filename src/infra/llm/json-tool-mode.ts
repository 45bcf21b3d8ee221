import type { JsonSchema, LlmToolCall, LlmToolDefinition } from './llm.types';

/**
 * Tool calling for servers that have none (LLM_TOOL_MODE=json): the model
 * answers one JSON object `{ narrative, toolCalls: [{ name, arguments }] }`
 * constrained by a JSON schema, and the answer is parsed strictly.
 */
export function jsonModeSchema(tools: LlmToolDefinition[]): JsonSchema {
  return {
    type: 'object',
    additionalProperties: false,
    required: ['narrative', 'toolCalls'],
    properties: {
      narrative: { type: 'string', description: 'What the player reads.' },
      toolCalls: {
        type: 'array',
        description: 'Proposed changes to the game state; empty when nothing changes.',
        items: {
          anyOf: tools.map((tool) => ({
            type: 'object',
            description: tool.description,
            additionalProperties: false,
            required: ['name', 'arguments'],
            properties: {
              name: { type: 'string', enum: [tool.name] },
              arguments: tool.parameters,
            },
          })),
        },
      },
    },
  };
}

export function jsonModeInstructions(tools: LlmToolDefinition[]): string {
  const list = tools.map((t) => `- ${t.name}: ${t.description}`).join('\n');
  return [
    'Answer with one JSON object and nothing else: {"narrative": string, "toolCalls": [{"name": string, "arguments": object}]}.',
    '"narrative" is what the player reads; "toolCalls" proposes changes to the game state (an empty array when there are none).',
    `Tools you may propose:\n${list}`,
  ].join('\n');
}

/**
 * The narrative and tool calls of a JSON-mode answer, or null when it is not
 * exactly that shape. Ids are positional (`json-0`, `json-1` ...) so a repeat of
 * the same answer yields the same ids.
 */
export function parseJsonModeReply(
  text: string,
): { narrative: string; toolCalls: LlmToolCall[] } | null {
  let value: unknown;
  try {
    value = JSON.parse(stripFence(text));
  } catch {
    return null;
  }
  if (!isObject(value) || typeof value.narrative !== 'string') return null;
  const rawCalls = value.toolCalls ?? [];
  if (!Array.isArray(rawCalls)) return null;
  const toolCalls: LlmToolCall[] = [];
  for (const [index, call] of rawCalls.entries()) {
    if (!isObject(call) || typeof call.name !== 'string' || call.name === '') return null;
    const args = call.arguments ?? {};
    let argumentsText: string;
    if (typeof args === 'string') argumentsText = args;
    else if (isObject(args)) argumentsText = JSON.stringify(args);
    else return null;
    toolCalls.push({ id: `json-${index}`, name: call.name, arguments: argumentsText });
  }
  return { narrative: value.narrative, toolCalls };
}

/** Small local models like to wrap JSON in a Markdown fence even when told not to. */
function stripFence(text: string): string {
  const match = /^\s*```(?:json)?\s*\n([\s\S]*?)\n?```\s*$/.exec(text);
  return match ? match[1] : text;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
