import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // End-to-end tests spawn the CLI many times; on a busy 2-core machine one test can take a minute.
    testTimeout: 90_000,
    hookTimeout: 30_000,
    // Adapter and end-to-end tests start loopback servers and child processes; two cores here.
    pool: "forks",
  },
});
