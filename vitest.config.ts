/**
 * One root vitest config with a project per package (packages/<name>/test).
 * Property tests (`*.prop.test.ts`) read DTD_SEED and DTD_NUM_RUNS through vitest.setup.ts.
 */
import { readdirSync } from "node:fs";
import { defineConfig } from "vitest/config";

const packages = readdirSync(new URL("./packages", import.meta.url), { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name);

export default defineConfig({
  test: {
    projects: packages.map((name) => ({
      extends: true,
      test: {
        name,
        root: `packages/${name}`,
        include: ["test/**/*.test.ts"],
        setupFiles: [new URL("./vitest.setup.ts", import.meta.url).pathname],
        testTimeout: 120_000,
        hookTimeout: 120_000,
      },
    })),
    passWithNoTests: true,
    // The JSON report feeds .ci/run's closing line ("N passed, N failed").
    reporters: ["default", ["json", { outputFile: ".cache/vitest-report.json" }]],
  },
});
