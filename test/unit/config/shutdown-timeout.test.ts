/** SHUTDOWN_TIMEOUT_MS: the bound of a graceful shutdown, checked at start like every variable. */
import { expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/config.js';
import { configProblems as problems } from '../../support/config-problems.js';

it('defaults to 10000 and reads a whole number of milliseconds from 100 to 600000', () => {
  expect(loadConfig({}).shutdownTimeoutMs).toBe(10_000);
  expect(loadConfig({ SHUTDOWN_TIMEOUT_MS: '100' }).shutdownTimeoutMs).toBe(100);
  expect(loadConfig({ SHUTDOWN_TIMEOUT_MS: '25000' }).shutdownTimeoutMs).toBe(25_000);
  expect(loadConfig({ SHUTDOWN_TIMEOUT_MS: '600000' }).shutdownTimeoutMs).toBe(600_000);
});

it('names the variable, the value and the bounds of a bad value', () => {
  for (const value of ['0', '99', '-1', '1.5', '1e4', 'soon', '600001']) {
    expect(problems({ SHUTDOWN_TIMEOUT_MS: value })).toEqual([
      `SHUTDOWN_TIMEOUT_MS=${JSON.stringify(value)}: must be a whole number from 100 to 600000`,
    ]);
  }
});
