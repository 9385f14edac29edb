import { defineConfig } from 'vitest/config';

// End-to-end: the real users-api serving dist/ via STATIC_DIR, driven by
// playwright-core with Debian's Chromium. One file, one worker.
export default defineConfig({
  test: {
    environment: 'node',
    include: ['e2e/**/*.e2e.ts'],
    globalSetup: ['e2e/global-setup.ts'],
    pool: 'forks',
    poolOptions: { forks: { singleFork: true } },
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 180_000,
  },
});
