// `npm run bench -- --sign-in`: Sign in with Nextcloud in Chromium, side by side with Keycloak's own
// password form, on one Keycloak and one browser in one run. For each login: the time from the
// relying party's redirect (the browser opening Keycloak's authorization URL) until the browser
// reaches the relying party's redirect URI with a code, the documents it loaded on the way, the HTTP
// redirects among them, the forms it met and the clicks it needed. The forms are filled by the
// bench (no human time is in the numbers). Prints a table and writes
// bench/results/<date>-sign-in.json.
//   --logins 20   logins per scenario (one user each; every scenario takes the same users)
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { chromium, type Browser, type BrowserContext } from 'playwright-core';
import { KeycloakIdentityProvider, freePort } from '@keycloak-exapp/adapter-keycloak';
import { FakeNextcloud } from '@keycloak-exapp/fake-nextcloud';
import { infoXmlRoutes, startKeycloakServer } from '@keycloak-exapp/test-support';
import { benchAdminHttp } from './lib/bench-fixtures.js';
import { startServerProcess } from './lib/server-process.js';

const { values: args } = parseArgs({
  options: { 'sign-in': { type: 'boolean' }, logins: { type: 'string', default: '20' } },
  strict: false,
});
const logins = Number(args.logins);
const REALM = 'commonground';
const PASSWORD = 'Bench-Login-Password-42';
const LOGIN_DEADLINE_MS = 30_000;
process.env.KEYCLOAK_TEST_JAVA_OPTS ??= '';

const trace = process.env.BENCH_TRACE ? (line: string) => log(`  ${line}`) : () => undefined;
const log = (line: string) =>
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}\n`);

type Scenario =
  | 'Nextcloud session, first visit'
  | 'Nextcloud session, Keycloak session alive'
  | 'no session: Nextcloud login form'
  | "Keycloak's password form (before)";

interface Login {
  readonly ms: number;
  readonly documents: number;
  readonly redirects: number;
  readonly forms: number;
  readonly clicks: number;
}

const nc = await new FakeNextcloud({ admins: ['admin'] }).start();
const issuerBase = `${nc.url}/exapps/${nc.exApp.appId}`;
log('starting Keycloak');
const keycloak = await startKeycloakServer('dev-file', undefined, { hostname: issuerBase });
nc.exApp.routes = infoXmlRoutes();
const ids = Array.from({ length: logins + 1 }, (_, i) => (i === 0 ? 'warmup' : `person${i}`));
for (const id of ids) {
  nc.addUser({ id, displayName: `Person ${id}`, email: `${id}@example.test`, groups: ['staff'] });
  nc.setPassword(id, PASSWORD);
}
const rpPort = await freePort();
const signInPort = await freePort();
const redirectUri = `http://127.0.0.1:${rpPort}/cb`;
// The relying party's redirect URI: notes when each login (by its state) arrived with a code.
const arrivals = new Map<string, number>();
const relyingParty = createServer((req, res) => {
  const url = new URL(req.url ?? '/', redirectUri);
  const state = url.searchParams.get('state');
  if (state && url.searchParams.has('code')) arrivals.set(state, performance.now());
  res.writeHead(200, { 'content-type': 'text/plain' }).end('signed in');
});
await new Promise<void>((ok) => relyingParty.listen(rpPort, '127.0.0.1', ok));
log('installing the ExApp (external mode, its own process)');
const server = await startServerProcess(nc, keycloak.info, {
  NEXTCLOUD_PROXY: 'harp',
  SIGN_IN_LISTEN: `127.0.0.1:${signInPort}`,
  SIGN_IN_INTERNAL_URL: `http://127.0.0.1:${signInPort}`,
  KEYCLOAK_REDIRECT_URIS: JSON.stringify({ opentalk: [`http://127.0.0.1:${rpPort}/*`] }),
});

// The "before" scenario: the same synced accounts with a Keycloak password, as a person would
// have needed one before Sign in with Nextcloud.
const admin = benchAdminHttp(keycloak.info);
const idp = new KeycloakIdentityProvider(admin, REALM);
const usernames = new Map<string, string>();
for (const id of ids) {
  const account = await idp.findUserByNextcloudId(id);
  if (!account) throw new Error(`${id} was not synced`);
  usernames.set(id, account.username);
  await admin.admin('PUT', `admin/realms/${REALM}/users/${account.id}/reset-password`, {
    json: { type: 'password', value: PASSWORD, temporary: false },
    what: 'set a password',
  });
}

log('accounts ready; starting Chromium');
const browser: Browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'],
});

async function newContext(nextcloudSessionOf?: string): Promise<BrowserContext> {
  const context = await browser.newContext();
  if (nextcloudSessionOf) {
    const [name, value] = nc.login(nextcloudSessionOf).split('; ')[0]!.split('=') as [string, string];
    await context.addCookies([{ name, value, url: nc.url }]);
  }
  return context;
}

/** One login of `id` in `context`, from Keycloak's authorization URL to the redirect URI. */
async function login(context: BrowserContext, id: string, passwordForm: boolean): Promise<Login> {
  const verifier = randomBytes(32).toString('base64url');
  const auth = new URL(`${issuerBase}/realms/${REALM}/protocol/openid-connect/auth`);
  auth.search = new URLSearchParams({
    client_id: 'opentalk',
    redirect_uri: redirectUri,
    response_type: 'code',
    scope: 'openid',
    state: randomBytes(8).toString('hex'),
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
    // An empty hint shows Keycloak's own form instead of going to Nextcloud (README).
    ...(passwordForm ? { kc_idp_hint: '' } : {}),
  }).toString();
  trace(`${id}: new page`);
  const page = await context.newPage();
  page.setDefaultTimeout(LOGIN_DEADLINE_MS);
  let documents = 0;
  let redirects = 0;
  page.on('response', (response) => {
    if (response.request().resourceType() !== 'document' || response.url().startsWith(redirectUri)) return;
    documents++;
    if (response.status() >= 300 && response.status() < 400) redirects++;
  });
  const state = auth.searchParams.get('state')!;
  arrivals.delete(state);
  let forms = 0;
  let clicks = 0;
  const started = performance.now();
  trace(`${id}: goto`);
  await page.goto(auth.href, { waitUntil: 'commit' });
  trace(`${id}: committed`);
  const deadline = Date.now() + LOGIN_DEADLINE_MS;
  while (!arrivals.has(state)) {
    if (Date.now() > deadline)
      throw new Error(`${id}: no callback within ${LOGIN_DEADLINE_MS} ms (at ${page.url()})`);
    trace(`${id}: at ${page.url().slice(0, 100)}`);
    if (await page.locator('#kc-form-login #username').count()) {
      forms++;
      await page.fill('#username', usernames.get(id)!);
      await page.fill('#password', PASSWORD);
      clicks++;
      await page.click('#kc-login');
    } else if (await page.locator('form[name="login"] #user').count()) {
      forms++;
      await page.fill('#user', id);
      await page.fill('#password', PASSWORD);
      clicks++;
      await page.click('#submit-form');
    }
    await new Promise((ok) => setTimeout(ok, 5));
  }
  const ms = arrivals.get(state)! - started;
  trace(`${id}: arrived; closing the page`);
  // Chromium may still be committing the redirect URI's page: let it finish, and never wait on a
  // close for long (a close racing a navigation can hang).
  await page.waitForURL(`${redirectUri}**`, { waitUntil: 'load', timeout: 5_000 }).catch(() => undefined);
  await Promise.race([page.close(), new Promise((ok) => setTimeout(ok, 5_000))]);
  trace(`${id}: closed`);
  return { ms, documents, redirects, forms, clicks };
}

const results = new Map<Scenario, Login[]>();
const record = (scenario: Scenario, result: Login) =>
  results.set(scenario, [...(results.get(scenario) ?? []), result]);

// Every scenario once for the warm-up user (JIT, caches), not counted; then user by user, every
// scenario in turn, so that drift over the run touches each the same.
for (const [index, id] of ids.entries()) {
  const counted = index > 0;
  log(`${id}: logging in`);
  const withSession = await newContext(id);
  const first = await login(withSession, id, false);
  const second = await login(withSession, id, false);
  await withSession.close();
  const anonymous = await newContext();
  const viaNextcloudForm = await login(anonymous, id, false);
  await anonymous.close();
  const plain = await newContext();
  const passwordForm = await login(plain, id, true);
  await plain.close();
  if (!counted) continue;
  record('Nextcloud session, first visit', first);
  record('Nextcloud session, Keycloak session alive', second);
  record('no session: Nextcloud login form', viaNextcloudForm);
  record("Keycloak's password form (before)", passwordForm);
  log(
    `${id}: ${first.ms.toFixed(0)} / ${second.ms.toFixed(0)} / ${viaNextcloudForm.ms.toFixed(0)} / ${passwordForm.ms.toFixed(0)} ms`,
  );
}
await browser.close();
relyingParty.close();
await server.stop();
await keycloak.stop();
await nc.stop();

const quantile = (values: number[], q: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
};
const median = (values: number[]) => quantile(values, 0.5);
const baseline = median((results.get("Keycloak's password form (before)") ?? []).map((l) => l.ms));
const rows = [...results].map(([scenario, list]) => ({
  scenario,
  logins: list.length,
  p50Ms: Math.round(median(list.map((l) => l.ms))),
  p95Ms: Math.round(
    quantile(
      list.map((l) => l.ms),
      0.95,
    ),
  ),
  maxMs: Math.round(Math.max(...list.map((l) => l.ms))),
  documents: median(list.map((l) => l.documents)),
  redirects: median(list.map((l) => l.redirects)),
  forms: Math.max(...list.map((l) => l.forms)),
  clicks: Math.max(...list.map((l) => l.clicks)),
  p50VsPasswordForm: Number((median(list.map((l) => l.ms)) / baseline).toFixed(2)),
}));
const header = [
  'scenario',
  'logins',
  'p50 ms',
  'p95 ms',
  'max ms',
  'pages',
  '3xx',
  'forms',
  'clicks',
  'p50 ÷ password form',
];
const table = [
  header,
  ...rows.map((r) =>
    [
      r.scenario,
      r.logins,
      r.p50Ms,
      r.p95Ms,
      r.maxMs,
      r.documents,
      r.redirects,
      r.forms,
      r.clicks,
      `${r.p50VsPasswordForm}×`,
    ].map(String),
  ),
];
const widths = header.map((_, c) => Math.max(...table.map((row) => row[c]!.length)));
process.stdout.write(
  `${table.map((row) => row.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ')).join('\n')}\n`,
);
const output = {
  date: new Date().toISOString(),
  machine: `${cpus().length} × ${cpus()[0]?.model.trim() ?? '?'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`,
  keycloak: keycloak.info.version,
  settings: { logins, measured: "from opening Keycloak's authorization URL to the redirect URI with a code" },
  rows,
};
const dir = join(import.meta.dirname, 'results');
await mkdir(dir, { recursive: true });
const file = join(dir, `${output.date.slice(0, 10)}-sign-in.json`);
await writeFile(file, `${JSON.stringify(output, null, 2)}\n`);
log(`wrote ${file}`);
