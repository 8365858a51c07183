import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { ocsFailure, ocsOk, type OcsReply, type OcsVersion } from './ocs-envelope.js';
import { phpJsonEncode } from './php-json.js';
import { UserStore, userDetails, type FakeUser, type FakeUserInput } from './user-store.js';
import { AppApiRole } from './app-api-role.js';
import { appApiEndpoint, embeddedPage } from './app-api-endpoints.js';
import { HarpBanList } from './harp-ban-list.js';
import type { FakeExAppRecord, NextcloudState, RecordedCall, SessionTable } from './nextcloud-state.js';
import { handleProxy } from './proxy.js';
import { DEFAULT_PAGE, handleLogin } from './login-page.js';

export interface FakeNextcloudOptions {
  readonly appId?: string;
  readonly appSecret?: string;
  readonly appVersion?: string;
  readonly admins?: readonly string[];
  /** The Nextcloud version the fake plays: its classic proxy matches routes as that version does. */
  readonly version?: string;
}

type Fault = { kind: 'status' | 'hang'; status: number; remaining: number; skip: number; pathPrefix: string };

/**
 * A real HTTP server on loopback that answers like Nextcloud: the OCS provisioning endpoints in v1
 * and v2 with their envelopes and quirks, AppAPI's own endpoints, AppAPI authentication enforced as
 * Nextcloud does it, and the two proxies in front of the ExApp. Mutable from tests, can be slow,
 * failing or down, and records the AppAPI calls it receives.
 */
export class FakeNextcloud implements NextcloudState {
  readonly users = new UserStore();
  readonly admins: Set<string>;
  /** The Nextcloud version played (`major.minor.patch`); change it to replay another version. */
  version: string;
  readonly exApp: FakeExAppRecord;
  readonly otherExApps = new Map<string, FakeExAppRecord>();
  readonly calls: RecordedCall[] = [];
  readonly topMenus = new Map<string, Record<string, unknown>>();
  readonly scripts = new Map<string, Record<string, unknown>>();
  readonly initStatus = { progress: 0, error: '' };
  readonly log: { readonly app: string; readonly level: number; readonly message: string }[] = [];
  readonly sessions: SessionTable = new Map();
  readonly appApi: AppApiRole;
  /** HaRP's IP ban in front of `/exapps/…` (10 failures in 300 s, as HaRP's defaults). */
  readonly harpBans = new HarpBanList();
  /** Nextcloud's bruteforce attempts per client address (action `app_api` of the classic proxy). */
  readonly classicBruteforceAttempts = new Map<string, number>();
  /** Requests that reached the OCS API (provisioning and AppAPI). */
  requestCount = 0;
  delayMs = 0;
  #faults: Fault[] = [];
  #server: Server | undefined;
  readonly #sockets = new Set<Socket>();

  constructor(options: FakeNextcloudOptions = {}) {
    this.admins = new Set(options.admins ?? ['admin']);
    this.version = options.version ?? '32.0.10';
    this.exApp = {
      appId: options.appId ?? 'keycloak',
      secret: options.appSecret ?? 'fake-nextcloud-app-secret-'.padEnd(64, 'x'),
      version: options.appVersion ?? '0.1.0',
      enabled: true,
      routes: [],
      target: undefined,
    };
    for (const admin of this.admins) this.users.put({ id: admin, displayName: admin, groups: ['admin'] });
    this.appApi = new AppApiRole(this);
  }

  get url(): string {
    const address = this.#server?.address() as AddressInfo | undefined;
    if (!address) throw new Error('fake Nextcloud is not listening');
    return `http://127.0.0.1:${address.port}`;
  }

  /**
   * Listens on loopback; `host` `0.0.0.0` also lets containers on a Docker network reach it through
   * the host's gateway address (the compose test). `url` stays the loopback address.
   */
  async start(port = 0, host = '127.0.0.1'): Promise<this> {
    this.#server = createServer((req, res) => void this.#handle(req, res));
    this.#server.on('connection', (socket) => {
      this.#sockets.add(socket);
      socket.on('close', () => this.#sockets.delete(socket));
    });
    await new Promise<void>((resolve) => this.#server!.listen(port, host, resolve));
    return this;
  }

  async stop(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy();
    await new Promise<void>((resolve) => (this.#server ? this.#server.close(() => resolve()) : resolve()));
    this.#server = undefined;
  }

  // ---- mutation from tests ----

  /** Deploys another ExApp (a consumer) beside this one, behind the same proxies. */
  deployExApp(record: Omit<FakeExAppRecord, 'enabled' | 'version'> & { version?: string }): FakeExAppRecord {
    const app: FakeExAppRecord = { enabled: true, version: '1.0.0', ...record };
    this.otherExApps.set(app.appId, app);
    return app;
  }

  addUser(input: FakeUserInput): FakeUser {
    return this.users.put(input);
  }

  addUsers(inputs: Iterable<FakeUserInput>): void {
    for (const input of inputs) this.users.put(input);
  }

  removeUser(id: string): void {
    this.users.remove(id);
  }

  /** Login passwords (user → password) for Nextcloud's login page. */
  readonly passwords = new Map<string, string>();

  setPassword(userId: string, password: string): void {
    this.passwords.set(userId, password);
  }

  /** Logs a user in for the proxies; returns the cookie header a browser would send. */
  login(userId: string): string {
    const passphrase = `sess-${Math.random().toString(36).slice(2)}`;
    this.sessions.set(passphrase, userId);
    return `oc_sessionPassphrase=${passphrase}; nc_session_id=abc; oc_token=t; __Host-nc_sameSiteCookielax=true`;
  }

  /** After `skip` more OCS requests under `pathPrefix`, the next `count` answer `status` (e.g. 500). */
  failNext(status: number, count = 1, pathPrefix = '/ocs/', skip = 0): void {
    this.#faults.push({ kind: 'status', status, remaining: count, skip, pathPrefix });
  }

  /** After `skip` more OCS requests under `pathPrefix`, the next `count` never answer (the client must time out). */
  hangNext(count = 1, pathPrefix = '/ocs/', skip = 0): void {
    this.#faults.push({ kind: 'hang', status: 0, remaining: count, skip, pathPrefix });
  }

  clearFaults(): void {
    this.#faults = [];
  }

  isAdmin(userId: string): boolean {
    return this.admins.has(userId) || (this.users.get(userId)?.groups.includes('admin') ?? false);
  }

  // ---- HTTP ----

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://nextcloud.local');
    // The proxies see the path as sent (WHATWG URL parsing would already resolve `..`, `%2e`, `\`).
    const rawPath = (req.url ?? '/').split('?')[0] ?? '/';
    if (
      rawPath.startsWith('/exapps/') ||
      rawPath.startsWith('/index.php/apps/app_api/proxy/') ||
      rawPath.startsWith('/apps/app_api/proxy/')
    ) {
      await handleProxy(this, req, res, rawPath, url.search);
      return;
    }
    if (url.pathname === '/index.php/login' || url.pathname === '/login') {
      await handleLogin(this, req, res, url);
      return;
    }
    if (url.pathname === DEFAULT_PAGE) {
      res
        .writeHead(200, { 'content-type': 'text/html' })
        .end('<!DOCTYPE html><html><body>Dashboard</body></html>');
      return;
    }
    const embedded = /^\/index\.php\/apps\/app_api\/embedded\/([^/]+)\/([^/]+)/.exec(url.pathname);
    if (embedded) {
      embeddedPage(this, req, res, embedded[1]!, embedded[2]!);
      return;
    }
    const ocs = /^\/ocs\/v([12])\.php(\/.*)$/.exec(url.pathname);
    if (!ocs) {
      res
        .writeHead(404, { 'content-type': 'text/html' })
        .end('<!DOCTYPE html><html><body>Page not found</body></html>');
      return;
    }
    this.requestCount++;
    if (this.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.delayMs));
    const fault = this.#takeFault(url.pathname);
    if (fault?.kind === 'hang') return; // never answer
    if (fault?.kind === 'status') {
      res
        .writeHead(fault.status, { 'content-type': 'text/html; charset=utf-8' })
        .end('<html><body><h1>Internal Server Error</h1></body></html>');
      return;
    }
    const version = Number(ocs[1]) as OcsVersion;
    const body = await readBody(req);
    const reply = await this.#ocs(version, req, ocs[2]!, url, body);
    res.writeHead(reply.status, { 'content-type': 'application/json; charset=utf-8' }).end(reply.body);
  }

  #takeFault(path: string): Fault | undefined {
    const fault = this.#faults.find((f) => path.startsWith(f.pathPrefix));
    if (!fault) return undefined;
    if (fault.skip > 0) {
      fault.skip--;
      return undefined;
    }
    fault.remaining--;
    if (fault.remaining <= 0) this.#faults.splice(this.#faults.indexOf(fault), 1);
    return fault;
  }

  /** AppAPI authentication as Nextcloud performs it (§2.3): the user, or a reason it failed. */
  /** App passwords for HTTP Basic logins (user → password), as an admin would create them. */
  readonly appPasswords = new Map<string, string>();

  authenticate(req: IncomingMessage): { ok: true; user: string | null } | { ok: false } {
    const header = (name: string): string | undefined => {
      const v = req.headers[name];
      return Array.isArray(v) ? v[0] : v;
    };
    const basic = /^Basic (.+)$/.exec(header('authorization') ?? '');
    if (basic && !header('authorization-app-api')) {
      const decoded = Buffer.from(basic[1]!, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      const user = decoded.slice(0, colon);
      const ok =
        colon > 0 &&
        this.appPasswords.get(user) === decoded.slice(colon + 1) &&
        this.users.get(user)?.enabled === true;
      return ok ? { ok: true, user } : { ok: false };
    }
    const auth = header('authorization-app-api');
    const appId = header('ex-app-id');
    if (!auth || !appId || appId !== this.exApp.appId) return { ok: false };
    const decoded = Buffer.from(auth, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0 || decoded.slice(colon + 1) !== this.exApp.secret) return { ok: false };
    if (!header('ex-app-version')) return { ok: false };
    const user = decoded.slice(0, colon);
    if (user !== '' && !this.users.get(user)) return { ok: false };
    return { ok: true, user: user === '' ? null : user };
  }

  async #ocs(
    version: OcsVersion,
    req: IncomingMessage,
    path: string,
    url: URL,
    body: unknown,
  ): Promise<OcsReply> {
    const auth = this.authenticate(req);
    const method = req.method ?? 'GET';
    const params = url.searchParams;
    if (path.startsWith('/apps/app_api/')) {
      if (!auth.ok || (!this.exApp.enabled && !path.startsWith('/apps/app_api/ex-app/state'))) {
        return ocsFailure(version, 997, 'AppAPI authentication failed');
      }
      this.calls.push({ method, path, user: auth.user, body, at: Date.now() });
      return appApiEndpoint(this, version, method, path, params, body);
    }
    if (!auth.ok || auth.user === null || !this.exApp.enabled)
      return ocsFailure(version, 997, 'Current user is not logged in');
    if (method !== 'GET') return ocsFailure(version, 998, '');
    return this.#provisioning(version, auth.user, path, params);
  }

  #provisioning(version: OcsVersion, caller: string, path: string, params: URLSearchParams): OcsReply {
    const admin = this.isAdmin(caller);
    const search = params.get('search') ?? '';
    const limitParam = params.get('limit');
    const limit = limitParam === null ? undefined : Number.parseInt(limitParam, 10);
    const offset = Number.parseInt(params.get('offset') ?? '0', 10) || 0;
    const visible = (u: FakeUser): boolean => admin || u.id === caller;

    if (path === '/cloud/users' || path === '/cloud/users/details' || path === '/cloud/users/disabled') {
      if (path === '/cloud/users/disabled' && ((limit ?? 0) < 0 || offset < 0))
        return { status: 500, body: '<html>Internal Server Error</html>' };
      if (!admin) return ocsOk(version, { users: [] });
      const filter = path === '/cloud/users/disabled' ? (u: FakeUser) => !u.enabled : () => true;
      const page = this.users.page(filter, search, limit, offset);
      if (path === '/cloud/users') return ocsOk(version, { users: page.map((u) => phpKey(u.id)) });
      if (page.length === 0) return ocsOk(version, { users: [] });
      return ocsOk(version, { users: Object.fromEntries(page.map((u) => [u.id, userDetails(u)])) });
    }
    // GroupsController::getGroups: every group for an admin (a sub-admin sees theirs; none here).
    if (path === '/cloud/groups') {
      if (!admin) return ocsOk(version, { groups: [] });
      const all = new Set<string>(['admin']);
      for (const u of this.users.page(() => true, '', undefined, 0)) for (const g of u.groups) all.add(g);
      return ocsOk(version, { groups: [...all].sort() });
    }
    const groups = /^\/cloud\/users\/([^/]+)\/groups$/.exec(path);
    if (groups) {
      const user = this.users.get(decodeURIComponent(groups[1]!));
      if (!user || !visible(user)) return ocsFailure(version, 998, '');
      return ocsOk(version, { groups: [...user.groups] });
    }
    const one = /^\/cloud\/users\/([^/]+)$/.exec(path);
    if (one) {
      const id = decodeURIComponent(one[1]!);
      const user = this.users.get(id);
      if (!user) return ocsFailure(version, 404, 'User does not exist');
      if (!visible(user)) return ocsFailure(version, 998, '');
      return ocsOk(version, userDetails(user));
    }
    return ocsFailure(version, 998, '');
  }
}

/** PHP array keys: numeric ids become numbers in `/cloud/users`. */
function phpKey(id: string): string | number {
  return /^(0|[1-9]\d{0,14})$/.test(id) ? Number(id) : id;
}

async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  if (chunks.length === 0) return undefined;
  const text = Buffer.concat(chunks).toString('utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return Object.fromEntries(new URLSearchParams(text));
  }
}

export { phpJsonEncode };
