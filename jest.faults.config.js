/**
 * Fault tests (`npm run test:faults`): they stop and start the PostgreSQL and
 * Redis of DATABASE_URL / REDIS_URL, so they run apart from `npm test`, one file
 * at a time, and always leave both services running.
 */
const base = require('./jest.config.js');

module.exports = {
  ...base,
  roots: ['<rootDir>/test/faults'],
  testRegex: '.*\\.fault-spec\\.ts$',
  globalSetup: '<rootDir>/test/faults/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/faults/support/global-teardown.ts',
  maxWorkers: 1,
  testTimeout: 180_000,
};
