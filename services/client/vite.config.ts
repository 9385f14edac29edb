/// <reference types="vitest/config" />
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// During development the API runs elsewhere: DEV_API_PROXY=http://127.0.0.1:5000 npm run dev
const proxyTarget = process.env.DEV_API_PROXY;
const proxy = proxyTarget
  ? Object.fromEntries(['/auth', '/users', '/ping', '/health'].map((p) => [p, proxyTarget]))
  : undefined;

export default defineConfig({
  plugins: [react()],
  server: { proxy },
  build: { outDir: 'dist', sourcemap: true },
  test: {
    environment: 'jsdom',
    include: ['src/**/*.test.{ts,tsx}'],
    setupFiles: ['src/test/setup.ts'],
    pool: 'threads',
    poolOptions: { threads: { maxThreads: 2, minThreads: 1 } },
    restoreMocks: true,
    testTimeout: 20_000,
  },
});
