import { fromVariableError } from './format-error';

describe('fromVariableError', () => {
  it('drops the echoed value (a password must not come back) and names the field', () => {
    const result = fromVariableError(
      'Variable "$input" got invalid value { username: "aria", password: "hunter2-secret", role: "ADMIN" }; Field "role" is not defined by type "RegisterInput".',
    );
    expect(result.message).not.toContain('hunter2');
    expect(result.message).toBe(
      'Variable "$input" has an invalid value: Field "role" is not defined by type "RegisterInput".',
    );
    expect(result.details?.fields).toEqual(['role']);
  });

  it('keeps the path of a nested bad value', () => {
    const result = fromVariableError(
      'Variable "$input" got invalid value "PALADIN" at "input.characterClass"; Value "PALADIN" does not exist in "CharacterClass" enum.',
    );
    expect(result.details?.fields).toEqual(['characterClass']);
    expect(result.message).toContain('at "input.characterClass"');
  });

  it('names a variable that was not provided', () => {
    const result = fromVariableError(
      'Variable "$input" of required type "RegisterInput!" was not provided.',
    );
    expect(result.details?.fields).toEqual(['input']);
  });

  it('names a missing required field and a whole bad variable', () => {
    expect(
      fromVariableError(
        'Variable "$input" got invalid value { login: "x" }; Field "password" of required type "String!" was not provided.',
      ).details?.fields,
    ).toEqual(['password']);
    expect(
      fromVariableError(
        'Variable "$id" got invalid value { not: "an id" }; ID cannot represent value: { not: "an id" }',
      ).details?.fields,
    ).toEqual(['id']);
    expect(
      fromVariableError(
        'Variable "$id" got invalid value { not: "an id" }; ID cannot represent value: { not: "an id" }',
      ).message,
    ).not.toContain('an id');
  });
});
