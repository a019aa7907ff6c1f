import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The slow suite has its own configuration (vitest.slow.config.ts, npm run test:slow).
    exclude: [...configDefaults.exclude, 'test/slow/**'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    pool: 'forks',
    globalSetup: ['test/support/redis-global-setup.ts'],
  },
});
