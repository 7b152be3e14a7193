import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    environment: 'node',
    include: ['test/**/*.test.ts'],
    // One real Temporal dev server for the whole suite (test/helpers/global-setup.ts).
    globalSetup: ['test/helpers/global-setup.ts'],
    setupFiles: ['test/helpers/runtime.ts'],
    testTimeout: 120_000,
    hookTimeout: 180_000,
    pool: 'forks',
    // Two cores: the pipeline tests run sandboxes and a trainer; more parallel files only thrash.
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
  },
});
