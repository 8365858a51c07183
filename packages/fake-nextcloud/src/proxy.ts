import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { callExApp, readAll } from './exapp-request.js';
import type { FakeExAppRecord, NextcloudState } from './nextcloud-state.js';
import { classicRuleFor, decideRoute } from './route-matching.js';

function cookieValue(req: IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return v.join('=');
  }
  return undefined;
}

function sessionUser(nc: NextcloudState, req: IncomingMessage): string | null {
  const passphrase = cookieValue(req, 'oc_sessionPassphrase');
  const user = passphrase ? nc.sessions.get(passphrase) : undefined;
  return user && nc.users.get(user)?.enabled ? user : null;
}

function levelOf(nc: NextcloudState, user: string | null): number {
  if (user === null) return 0;
  return nc.isAdmin(user) ? 2 : 1;
}

function appApiHeadersFor(
  app: FakeExAppRecord,
  user: string | null,
  aaVersion: string,
): Record<string, string> {
  return {
    'ex-app-id': app.appId,
    'ex-app-version': app.version,
    'authorization-app-api': Buffer.from(`${user ?? ''}:${app.secret}`).toString('base64'),
    'aa-version': aaVersion,
  };
}

function plain(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'content-type': 'text/plain' }).end(text);
}

/** The request target as the proxies read it: the path exactly as sent, and the query. */
interface RawTarget {
  readonly path: string;
  readonly search: string;
}

/** Routes browser traffic like HaRP (`/exapps/<appid>/…`, §3.5) or the PHP proxy (§3.4). */
export async function handleProxy(
  nc: NextcloudState,
  req: IncomingMessage,
  res: ServerResponse,
  rawPath: string,
  search: string,
): Promise<void> {
  const url: RawTarget = { path: rawPath, search };
  try {
    if (rawPath.startsWith('/exapps/')) await harp(nc, req, res, url);
    else await classic(nc, req, res, url);
  } catch {
    if (!res.headersSent) plain(res, 502, 'Bad Gateway');
    else res.destroy();
  }
}

/** HaRP's `DOT_DOT_SEGMENT_PATTERN`: a `..` segment in any literal or encoded form. */
const DOT_DOT_SEGMENT = /(?:^|\/|%2[fF])(?:\.|%2[eE]){2}(?:\/|%2[fF]|$)/;

/**
 * HaRP (`haproxy_agent.py`, `_exapps_msg` and `_exapps_response_status_msg`): a banned address is
 * dropped; every refusal HaRP makes itself counts toward the ban (a `..` segment, an unknown ExApp,
 * a lifecycle path, a route denied or missing), and so does every ExApp answer whose status the
 * matched route lists in `bruteforce_protection`. The address is the socket's peer (no
 * `HP_TRUSTED_PROXY_IPS` configured).
 */
/** The ExApp a proxy path names: this one, or another one deployed beside it (a consumer). */
function exAppNamed(nc: NextcloudState, appId: string | undefined): FakeExAppRecord | undefined {
  return appId === nc.exApp.appId ? nc.exApp : nc.otherExApps.get(appId ?? '');
}

async function harp(
  nc: NextcloudState,
  req: IncomingMessage,
  res: ServerResponse,
  url: RawTarget,
): Promise<void> {
  const address = req.socket.remoteAddress ?? 'unknown';
  const drop = (): void => void req.socket.destroy(); // HAProxy's silent-drop
  const fail = (): void => nc.harpBans.recordFailure(address);
  if (nc.harpBans.isBanned(address)) return drop();
  if (DOT_DOT_SEGMENT.test(url.path)) {
    fail();
    return drop();
  }
  const match = /^\/exapps\/([^/]+)(\/.*)?$/.exec(url.path);
  const app = exAppNamed(nc, match?.[1]);
  const target = app?.target;
  if (!match || !app || !target) {
    fail();
    return plain(res, 404, '404 Not Found');
  }
  const path = match[2] ?? '/';
  if (['/heartbeat', '/init', '/enabled'].includes(path)) {
    fail();
    return drop(); // HaRP drops external calls to the lifecycle endpoints
  }
  if (!app.enabled) return plain(res, 503, '503 Service Unavailable (HaRP)');
  const user = sessionUser(nc, req);
  const decision = decideRoute('harp', app.routes, path, req.method ?? 'GET', levelOf(nc, user));
  if (decision.kind !== 'forward') {
    fail();
    return decision.kind === 'forbidden'
      ? plain(res, 403, '403 Forbidden')
      : plain(res, 404, '404 Not Found');
  }
  const headers: OutgoingHttpHeaders = { ...req.headers, ...appApiHeadersFor(app, user, '32') };
  const upstream = await callExApp(target, {
    method: req.method ?? 'GET',
    path: `${path}${url.search}`,
    headers,
    body: req,
    timeoutMs: 1_800_000,
  });
  if (decision.route.bruteforceProtection?.includes(upstream.statusCode ?? 0)) fail();
  // Status and every header as they are (several Set-Cookie included), redirects untouched.
  res.writeHead(upstream.statusCode ?? 502, upstream.rawHeaders);
  upstream.pipe(res);
}

const CLASSIC = /^(?:\/index\.php)?\/apps\/app_api\/proxy\/([^/]+)(\/.*)?$/;
const EXCLUDED_REQUEST_HEADERS = new Set([
  'content-length',
  'x-origin-ip',
  'authorization-app-api',
  'host',
  'connection',
]);
const APP_API_RESPONSE_HEADERS = new Set([
  'authorization-app-api',
  'ex-app-id',
  'ex-app-version',
  'aa-version',
  'transfer-encoding',
  'connection',
]);

async function classic(
  nc: NextcloudState,
  req: IncomingMessage,
  res: ServerResponse,
  url: RawTarget,
): Promise<void> {
  const notFound = (): void => {
    res
      .writeHead(404, { 'content-type': 'text/html; charset=utf-8' })
      .end('<!DOCTYPE html><html><body>Page not found</body></html>');
  };
  const method = req.method ?? 'GET';
  if (!['GET', 'POST', 'PUT', 'DELETE'].includes(method)) return notFound();
  const match = CLASSIC.exec(url.path);
  const app = exAppNamed(nc, match?.[1]);
  const target = app?.target;
  if (!match || !app || !target || !app.enabled) return notFound();
  const path = match[2] ?? '/';
  if (method !== 'GET' && path === '/') return notFound();
  if (/(^|\/)(\.\.|%2e%2e)(\/|$)/i.test(path) || /%2f/i.test(path)) return notFound();
  const user = sessionUser(nc, req);
  // Each Nextcloud version matches routes its own way (§7.2); the fake plays `nc.version`.
  const decision = decideRoute(classicRuleFor(nc.version), app.routes, path, method, levelOf(nc, user));
  if (decision.kind !== 'forward') return notFound();
  // Nextcloud's throttler (action `app_api`) on a route with bruteforce_protection: past
  // MAX_ATTEMPTS (10) recorded attempts of this address it answers 429 instead of forwarding.
  const address = req.socket.remoteAddress ?? 'unknown';
  const listed = decision.route.bruteforceProtection ?? [];
  if (listed.length > 0 && (nc.classicBruteforceAttempts.get(address) ?? 0) > 10) {
    res
      .writeHead(429, { 'content-type': 'text/html; charset=utf-8' })
      .end('<html><body>Too Many Requests</body></html>');
    return;
  }

  const headers: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(req.headers))
    if (!EXCLUDED_REQUEST_HEADERS.has(name)) headers[name] = value;
  Object.assign(headers, appApiHeadersFor(app, user, '32.0.0'), {
    'x-origin-ip': req.socket.remoteAddress ?? '127.0.0.1',
  });
  const body = method === 'GET' ? undefined : await readAll(req);
  let current = { method, path: `${path}${url.search}`, body };
  let upstream = await callExApp(target, { ...current, headers });
  // Guzzle follows redirects on the server side (up to 5 hops); the browser sees the final answer.
  for (let hop = 0; hop < 5 && [301, 302, 303, 307, 308].includes(upstream.statusCode ?? 0); hop++) {
    const location = upstream.headers.location;
    if (!location) break;
    await readAll(upstream);
    const next = new URL(location, 'http://exapp.local');
    const keepMethod = upstream.statusCode === 307 || upstream.statusCode === 308;
    current = {
      method: keepMethod ? current.method : 'GET',
      path: `${next.pathname}${next.search}`,
      body: keepMethod ? current.body : undefined,
    };
    upstream = await callExApp(target, { ...current, headers });
  }
  const status = upstream.statusCode ?? 0;
  if (listed.includes(status))
    nc.classicBruteforceAttempts.set(address, (nc.classicBruteforceAttempts.get(address) ?? 0) + 1);
  else if (listed.length > 0 && status >= 200 && status < 300) nc.classicBruteforceAttempts.delete(address);
  const out: Record<string, string> = {};
  for (let i = 0; i < upstream.rawHeaders.length; i += 2) {
    const name = upstream.rawHeaders[i]!.toLowerCase();
    if (APP_API_RESPONSE_HEADERS.has(name) || name in out) continue; // only the first value of each header
    out[name] = upstream.rawHeaders[i + 1]!;
  }
  const type = out['content-type'] ?? '';
  if (
    !out['cache-control'] &&
    !type.startsWith('text/html') &&
    type !== 'application/json' &&
    type !== 'application/x-tar'
  ) {
    out['cache-control'] = 'max-age=3600';
  }
  const payload = await readAll(upstream);
  out['content-length'] = String(payload.length);
  res.writeHead(upstream.statusCode ?? 502, out).end(payload);
}
