import { numberPlaceholders } from './prepared';

describe('numberPlaceholders', () => {
  it('numbers the placeholders in order', () => {
    expect(numberPlaceholders('select ? as a, ?::int as b where c = ?')).toBe(
      'select $1 as a, $2::int as b where c = $3',
    );
  });

  it('leaves question marks in literals, quoted names and comments alone', () => {
    expect(
      numberPlaceholders(
        `select 'why?' as "what?", ? -- a comment's ? and quote\n  , e'it''s ?' , ?`,
      ),
    ).toBe(`select 'why?' as "what?", $1 -- a comment's ? and quote\n  , e'it''s ?' , $2`);
  });
});
