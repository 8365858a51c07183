import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['packages/*/test/**/*.test.ts'],
          exclude: ['**/*.int.test.ts', '**/node_modules/**'],
          testTimeout: 20_000,
        },
      },
      {
        test: {
          name: 'int',
          include: ['packages/*/test/**/*.int.test.ts'],
          globalSetup: ['packages/adapter-keycloak/test/keycloak.global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 600_000,
          // Two cores and one or two JVMs: keep the real-system files from starving each other.
          maxWorkers: 2,
        },
      },
    ],
  },
});
