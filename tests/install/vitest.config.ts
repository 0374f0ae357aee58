import { defineConfig } from "vitest/config"

// Packing and installing take seconds; one file at a time.
export default defineConfig({
  test: { include: ["test/**/*.test.ts"], testTimeout: 120_000, hookTimeout: 180_000, fileParallelism: false }
})
