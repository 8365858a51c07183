import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          // The fast tests first, then the ones against real systems (different worker limits need their own group).
          sequence: { groupOrder: 0 },
          include: ['packages/*/test/**/*.test.ts', 'scripts/test/**/*.test.ts'],
          exclude: ['**/*.int.test.ts', '**/node_modules/**'],
          testTimeout: 20_000,
        },
      },
      {
        test: {
          name: 'int',
          sequence: { groupOrder: 1 },
          include: ['packages/*/test/**/*.int.test.ts'],
          globalSetup: ['packages/adapter-keycloak/test/keycloak.global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 600_000,
          // Two cores and up to three JVMs: one real-system file at a time keeps them from starving each other.
          maxWorkers: 1,
        },
      },
    ],
  },
});
