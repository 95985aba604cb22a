import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Lab servers bind 127.x addresses and real sockets; keep files in separate forks.
    pool: "forks",
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
