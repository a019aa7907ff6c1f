import { defineConfig } from 'vitest/config';

/**
 * The slow suite (`npm run test:slow`, run by .ci/run after `npm test`): failures staged with
 * real processes, each test starting what it stops or freezes.
 */
export default defineConfig({
  test: {
    include: ['test/slow/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 30_000,
    pool: 'forks',
    globalSetup: ['test/support/redis-global-setup.ts'],
  },
});
