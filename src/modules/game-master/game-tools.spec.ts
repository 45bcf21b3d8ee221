import { parseToolCall, preview, storable, TOOL_DEFINITIONS } from './game-tools';

const ME = '11111111-1111-4111-8111-111111111111';
const call = (name: string, args: unknown) => ({
  id: 'c1',
  name,
  arguments: typeof args === 'string' ? args : JSON.stringify(args),
});

describe('game tools', () => {
  it('sends every tool with a closed JSON schema', () => {
    for (const tool of TOOL_DEFINITIONS) {
      expect(tool.parameters).toMatchObject({ type: 'object', additionalProperties: false });
      expect(tool.description.length).toBeGreaterThan(10);
    }
  });

  it('accepts well-typed arguments, the acting character named or not', () => {
    expect(parseToolCall(call('grant_experience', { amount: 5 }), ME)).toEqual({
      ok: true,
      tool: 'grant_experience',
      args: { amount: 5 },
    });
    expect(parseToolCall(call('travel', { locationId: 'woodsedge', playerId: ME }), ME).ok).toBe(
      true,
    );
  });

  it.each([
    ['unknown tool', call('set_level', { level: 99 }), /unknown tool/],
    ['bad JSON', call('grant_experience', '{"amount": 1'), /not valid JSON/],
    ['not an object', call('grant_experience', '[1]'), /JSON object/],
    ['extra property', call('grant_experience', { amount: 1, level: 99 }), /unknown argument/],
    ['wrong type', call('change_gold', { amount: '10' }), /integer/],
    ['fraction', call('change_gold', { amount: 1.5 }), /integer/],
    ['unsafe integer', call('change_gold', '{"amount": 9007199254740993}'), /integer/],
    ['missing', call('travel', {}), /missing argument "locationId"/],
    ['another character', call('grant_experience', { amount: 1, playerId: 'x' }), /acting/],
    ['huge text', call('grant_experience', { amount: 1, reason: 'x'.repeat(5000) }), /longer/],
  ])('refuses %s with a reason', (_name, proposal, reason) => {
    const parsed = parseToolCall(proposal, ME);
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.reason).toMatch(reason);
  });

  it('makes untrusted text storable and short', () => {
    expect(storable('a\u0000b\ud800c')).toBe('ab\uFFFDc');
    expect(preview('x'.repeat(500), 10)).toBe(`${'x'.repeat(10)}…`);
    expect(preview('😀'.repeat(3), 2)).toBe('😀😀…');
  });
});
