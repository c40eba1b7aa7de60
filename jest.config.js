/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/src', '<rootDir>/test'],
  testMatch: ['**/*.spec.ts', '**/*.test.ts'],
  transform: { '^.+\\.(t|j)sx?$': ['@swc/jest', { jsc: { target: 'es2022' } }] },
  testTimeout: 30000,
  // Two workers on the two cores CI has: many suites wait (on timers, child processes, Chromium) more than they
  // compute, so a second worker shortens `npm test` (one worker took 23 minutes of jest on CI).
  maxWorkers: 2,
};
