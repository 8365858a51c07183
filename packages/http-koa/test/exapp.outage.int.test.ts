// Availability while the embedded Keycloak is down: SIGKILLed under token load with the token
// cache on, it is brought back by the supervisor; meanwhile cached tokens (signed JWTs consumers
// verify with keys they hold) are served as long as the user's directory check holds, and only
// what needs Keycloak is refused. One server for the file; the load is bounded in time.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jvmOf } from '../../adapter-keycloak/test/process-group.js';
import { OPS_SECRET, call, leakedSecrets, startExApp, type ExAppHarness } from './exapp-harness.js';
import { rawRequest } from './raw-http.js';

const REALM = 'commonground';
const CACHED_USERS = Array.from({ length: 5 }, (_, i) => `cached${i}`);
const UNCACHED_USERS = Array.from({ length: 30 }, (_, i) => `uncached${i}`);
let h: ExAppHarness;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const token = (user: string, clientId: string) =>
  rawRequest(h.url, 'POST', `/api/token?client_id=${clientId}`, [
    ['x-nc-user-id', user],
    ['x-api-secret', OPS_SECRET],
  ]);

beforeAll(async () => {
  // The directory check is trusted for 30 s: longer than the restart, as in production.
  h = await startExApp({ DIRECTORY_TTL_SECONDS: '30' });
  h.nc.addUsers(
    [...CACHED_USERS, ...UNCACHED_USERS].map((id) => ({ id, displayName: `User ${id}`, groups: [] })),
  );
  const { error } = await h.nc.appApi.install({ timeoutMs: 480_000 });
  expect(error).toBe('');
}, 600_000);

afterAll(() => h?.dispose(), 120_000);

describe('Keycloak killed with SIGKILL while the token cache is on', () => {
  it('serves every cached token throughout (the directory check still applies) and refuses only what needs Keycloak', async () => {
    const supervisor = h.server.supervisor!;
    for (const user of CACHED_USERS) expect((await token(user, 'opentalk')).status).toBe(200);
    const cached: { status: number }[] = [];
    const uncached: { status: number; retryAfter: string | undefined }[] = [];
    let stop = false;
    let i = 0;
    const worker = async () => {
      while (!stop) {
        cached.push({ status: (await token(CACHED_USERS[i++ % CACHED_USERS.length]!, 'opentalk')).status });
        await sleep(20);
      }
    };
    // One client nobody has a token for yet: every request of it needs Keycloak.
    const uncachedWorker = async () => {
      let n = 0;
      while (!stop) {
        const res = await token(UNCACHED_USERS[n++ % UNCACHED_USERS.length]!, 'valtimo');
        uncached.push({ status: res.status, retryAfter: res.headers['retry-after'] });
        await sleep(100);
      }
    };
    const workers = [worker(), worker(), uncachedWorker()];
    await sleep(1_000);
    const killedJvm = jvmOf(supervisor.status().pid!)!;
    expect(killedJvm).toBeDefined();
    process.kill(killedJvm, 'SIGKILL');
    await expect.poll(() => supervisor.status().state, { timeout: 10_000, interval: 20 }).not.toBe('ready');
    const beforeOutage = cached.length;
    await expect
      .poll(
        () => {
          const { state, pid } = supervisor.status();
          return state === 'ready' && typeof pid === 'number' && jvmOf(pid) !== killedJvm;
        },
        { timeout: 240_000, interval: 100 },
      )
      .toBe(true);
    const servedDuringOutage = cached.length - beforeOutage;
    await sleep(1_000);
    stop = true;
    await Promise.all(workers);
    console.info(
      `SIGKILL with the cache on: ${servedDuringOutage} cached answers while Keycloak was down; ` +
        `${uncached.filter((u) => u.status === 503).length} of ${uncached.length} uncached requests answered 503`,
    );
    expect(servedDuringOutage).toBeGreaterThan(20);
    expect(cached.every((c) => c.status === 200)).toBe(true);
    const refused = uncached.filter((u) => u.status !== 200);
    expect(refused.length).toBeGreaterThan(0); // the outage was seen by what needs Keycloak
    for (const r of refused) {
      expect(r.status).toBe(503);
      expect(r.retryAfter).toBeDefined();
    }
    // Once Keycloak is back, what needs it works again.
    await expect
      .poll(async () => (await token('uncached0', 'valtimo')).status, { timeout: 60_000 })
      .toBe(200);
  }, 400_000);

  it('logged no secret, password or token of the run', async () => {
    expect(await leakedSecrets(h.logs(), h.storage, REALM, [...CACHED_USERS, ...UNCACHED_USERS])).toEqual([]);
    expect((await call(h.url, 'GET', '/heartbeat')).body).toMatchObject({ keycloak: 'ready' });
  });
});
