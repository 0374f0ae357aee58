import { defineConfig } from "vitest/config"

// End-to-end tests start real processes and servers on loopback: one file at a time keeps the two cores calm.
export default defineConfig({
  test: { include: ["test/**/*.test.ts"], testTimeout: 60_000, hookTimeout: 60_000, fileParallelism: false }
})
