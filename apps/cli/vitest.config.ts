import { defineConfig } from "vitest/config"

// The tests run the built binary as a subprocess: `pnpm build` (turbo's test task) comes first.
export default defineConfig({
  test: { include: ["test/**/*.test.ts"], testTimeout: 30_000, hookTimeout: 30_000 }
})
