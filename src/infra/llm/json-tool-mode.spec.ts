import { jsonModeSchema, parseJsonModeReply } from './json-tool-mode';

describe('JSON tool mode', () => {
  it('parses narrative and tool calls with positional ids', () => {
    const reply = parseJsonModeReply(
      JSON.stringify({
        narrative: 'You find a coin.',
        toolCalls: [
          { name: 'change_gold', arguments: { amount: 1 } },
          { name: 'grant_experience', arguments: '{"amount":5}' },
        ],
      }),
    );
    expect(reply).toEqual({
      narrative: 'You find a coin.',
      toolCalls: [
        { id: 'json-0', name: 'change_gold', arguments: '{"amount":1}' },
        { id: 'json-1', name: 'grant_experience', arguments: '{"amount":5}' },
      ],
    });
  });

  it('accepts a Markdown fence and a missing toolCalls', () => {
    expect(parseJsonModeReply('```json\n{"narrative":"Hi"}\n```')).toEqual({
      narrative: 'Hi',
      toolCalls: [],
    });
  });

  it.each([
    ['not json', 'Once upon a time'],
    ['no narrative', '{"toolCalls":[]}'],
    ['narrative not a string', '{"narrative":5,"toolCalls":[]}'],
    ['toolCalls not an array', '{"narrative":"x","toolCalls":{}}'],
    ['call without name', '{"narrative":"x","toolCalls":[{"arguments":{}}]}'],
    ['arguments a number', '{"narrative":"x","toolCalls":[{"name":"a","arguments":5}]}'],
    ['an array', '[]'],
  ])('rejects %s', (_, text) => {
    expect(parseJsonModeReply(text)).toBeNull();
  });

  it('builds a strict schema with one branch per tool', () => {
    const schema = jsonModeSchema([
      { name: 'travel', description: 'Move', parameters: { type: 'object' } },
    ]) as any;
    expect(schema.required).toEqual(['narrative', 'toolCalls']);
    expect(schema.properties.toolCalls.items.anyOf[0].properties.name.enum).toEqual(['travel']);
  });
});
