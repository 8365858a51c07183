import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** The counts of a sync pass that become metrics (a SyncReport's fields). */
const PASS_COUNTS = ['created', 'updated', 'disabled', 'deleted', 'unchanged', 'failed'] as const;

/** The server's Prometheus metrics, on a registry of its own (no global state). */
export class ServerMetrics {
  readonly registry = new Registry();
  /** Tokens answered from the cache since the last scrape: a plain count on the hot path. */
  #cachedTokens = 0;
  readonly tokenRequests: Counter<'outcome' | 'source'>;
  readonly directoryWaits = new Counter({
    name: 'keycloak_exapp_token_directory_waits_total',
    help: 'Issued tokens whose request waited for a Nextcloud check (no verification young enough to trust); the others were checked ahead, in the background',
    registers: [this.registry],
  });
  readonly grantSeconds = new Histogram({
    name: 'keycloak_exapp_upstream_grant_seconds',
    help: 'Time of token requests that went to Keycloak (refresh or password grant)',
    labelNames: ['source'] as const,
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });
  readonly syncRuns = new Counter({
    name: 'keycloak_exapp_sync_runs_total',
    help: 'Sync runs by kind (full, cheap) and outcome (done, failed)',
    labelNames: ['kind', 'outcome'] as const,
    registers: [this.registry],
  });
  readonly syncSeconds = new Histogram({
    name: 'keycloak_exapp_sync_duration_seconds',
    help: 'Duration of sync runs',
    labelNames: ['kind'] as const,
    buckets: [0.1, 0.5, 1, 5, 10, 30, 60, 300],
    registers: [this.registry],
  });
  readonly syncLastSuccess = new Gauge({
    name: 'keycloak_exapp_sync_last_success_timestamp_seconds',
    help: 'When a sync run of this kind last ended without failing (Unix time); alert on its age',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });
  readonly syncLastUsers = new Gauge({
    name: 'keycloak_exapp_sync_last_users',
    help: 'What the last successful sync run of this kind did, per result (created, updated, disabled, deleted, unchanged, failed)',
    labelNames: ['kind', 'result'] as const,
    registers: [this.registry],
  });
  readonly keycloakState: Gauge<'state'>;
  readonly keycloakRestarts: Counter;

  /** Counts a token answered from the cache (`tokenRequests{outcome="issued",source="cache"}`). */
  countCachedToken(): void {
    this.#cachedTokens++;
  }

  constructor(status: () => { state: string; restarts: number }) {
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- prom-client calls collect() with the counter as `this`
    const metrics = this;
    this.tokenRequests = new Counter({
      name: 'keycloak_exapp_token_requests_total',
      help: 'Token requests by outcome (issued, or the error code) and source (cache, refresh, password)',
      labelNames: ['outcome', 'source'] as const,
      registers: [this.registry],
      collect() {
        // Cache hits are counted without a label lookup each, and added here when scraped.
        if (metrics.#cachedTokens === 0) return;
        this.inc({ outcome: 'issued', source: 'cache' }, metrics.#cachedTokens);
        metrics.#cachedTokens = 0;
      },
    });
    const states = ['starting', 'ready', 'restarting', 'failed', 'stopped', 'external'];
    this.keycloakState = new Gauge({
      name: 'keycloak_exapp_keycloak_state',
      help: 'Keycloak process state (1 for the current state)',
      labelNames: ['state'] as const,
      registers: [this.registry],
      collect() {
        const current = status().state;
        for (const state of states) this.set({ state }, state === current ? 1 : 0);
      },
    });
    this.keycloakRestarts = new Counter({
      name: 'keycloak_exapp_keycloak_restarts_total',
      help: 'Restarts of Keycloak after unexpected exits since the server started it',
      registers: [this.registry],
      collect() {
        // The supervisor counts; a counter only grows, so it follows that count.
        this.reset();
        this.inc(status().restarts);
      },
    });
    // The process's own: CPU, memory, heap, event-loop lag, garbage collection (prom-client's names).
    collectDefaultMetrics({ register: this.registry });
  }

  /** Times a sync run and counts its outcome. */
  async observeSync<T>(kind: 'full' | 'cheap', run: () => Promise<T>): Promise<T> {
    const end = this.syncSeconds.startTimer({ kind });
    try {
      const result = await run();
      this.syncRuns.inc({ kind, outcome: 'done' });
      this.syncLastSuccess.set({ kind }, Date.now() / 1000);
      const report = result as Partial<Record<(typeof PASS_COUNTS)[number], unknown>> | undefined;
      for (const name of PASS_COUNTS) {
        const value = report?.[name];
        if (typeof value === 'number') this.syncLastUsers.set({ kind, result: name }, value);
      }
      return result;
    } catch (error) {
      this.syncRuns.inc({ kind, outcome: 'failed' });
      throw error;
    } finally {
      end();
    }
  }
}
