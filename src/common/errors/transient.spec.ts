import { CheckConstraintViolationException, DriverException } from '@mikro-orm/core';
import { isRetryableDatabaseError, lostInFlight } from './transient';

const withCode = (message: string, code?: string) => Object.assign(new Error(message), { code });

describe('isRetryableDatabaseError', () => {
  it.each([
    ['no connection', withCode('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED')],
    [
      'a connection cut by a shutdown',
      new DriverException(
        withCode('select 1 - terminating connection due to administrator command', '57P01'),
      ),
    ],
    ['a server starting up', withCode('the database system is starting up', '57P03')],
    ['a dead client', new Error('Client has encountered a connection error and is not queryable')],
    ['a lost connection', new Error('update "players" set … - Connection terminated unexpectedly')],
    ['a deadlock', withCode('deadlock detected', '40P01')],
    // PostgreSQL answered the COMMIT itself: it rolled the transaction back.
    [
      'a COMMIT refused by a shutdown',
      new DriverException(
        withCode('COMMIT; - terminating connection due to administrator command', '57P01'),
      ),
    ],
    [
      'a COMMIT refused as a serialization failure',
      withCode('COMMIT; - could not serialize access', '40001'),
    ],
  ])('retries after %s', (_, error) => {
    expect(isRetryableDatabaseError(error)).toBe(true);
  });

  it.each([
    // The commit may have landed: the client must look before it sends the write again.
    ['a connection lost during COMMIT', new Error('COMMIT; - Connection terminated unexpectedly')],
    ['a COMMIT whose socket broke', withCode('COMMIT; - write ECONNRESET', 'ECONNRESET')],
    [
      'a rule the database enforces, even when user data in it looks transient',
      new CheckConstraintViolationException(
        withCode(
          `insert into "players" values ('Connection terminated') - violates check constraint`,
          '23514',
        ),
      ),
    ],
    ['a plain bug', new TypeError('Cannot read properties of undefined')],
    ['a non-error', 'ECONNREFUSED'],
  ])('does not retry %s', (_, error) => {
    expect(isRetryableDatabaseError(error)).toBe(false);
  });

  it.each([
    ['a connection reset', withCode('read ECONNRESET', 'ECONNRESET'), true],
    ['a connection that ended', new Error('insert … - Connection terminated unexpectedly'), true],
    ['a connection never opened', withCode('connect ECONNREFUSED', 'ECONNREFUSED'), false],
    ['a pool with no connection to give', new Error('Timeout acquiring a connection'), false],
    ['an answer from PostgreSQL', withCode('terminating connection', '57P01'), false],
  ])('tells a statement lost in flight: %s', (_, error, lost) => {
    expect(lostInFlight(error)).toBe(lost);
  });
});
