// The client's e2e suite, run from services/client, against E2E_BASE_URL
// (see e2e-front.setup.mjs). No imports: vitest loads this file from outside
// the client's node_modules.
import { fileURLToPath } from "node:url";

export default {
  test: {
    environment: "node",
    include: ["e2e/**/*.e2e.ts"],
    globalSetup: [fileURLToPath(new URL("./e2e-front.setup.mjs", import.meta.url))],
    pool: "forks",
    poolOptions: { forks: { singleFork: true } },
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 180_000,
  },
};
