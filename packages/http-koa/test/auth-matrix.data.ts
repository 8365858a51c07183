// The auth model as data: who gets what on every route, directly and through each of Nextcloud's
// proxies. The e2e test asserts every cell against the real server (and Keycloak); the README
// prints the same table (a unit test keeps the two equal).

/** The callers, in column order. */
export const CALLERS = [
  'anonymous',
  'wrong secret',
  'forged AppAPI',
  'replayed AppAPI',
  'user',
  'admin',
  'consumer with op',
  'consumer without op',
  'AppAPI itself',
] as const;
export type CallerColumn = (typeof CALLERS)[number];

/** Callers that must never get a privileged answer. */
export const UNTRUSTED: readonly CallerColumn[] = [
  'anonymous',
  'wrong secret',
  'forged AppAPI',
  'replayed AppAPI',
];

export type Way = 'direct' | 'HaRP' | 'classic';
export const WAYS: readonly Way[] = ['direct', 'HaRP', 'classic'];

/** One status per caller (CALLERS order); 0 = the proxy drops the connection; null = not applicable. */
export type Cells = readonly (number | null)[];

export interface MatrixRow {
  readonly name: string;
  readonly method: string;
  /** `<resource>` is replaced by a real theme file of the running Keycloak. */
  readonly path: string;
  readonly body?: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** Whether a 2xx here acts on or reveals something (sync, delete, admin, metrics, init). */
  readonly privileged: boolean;
  readonly expect: Readonly<Record<Way, Cells>>;
}

const json = { 'content-type': 'application/json' };
const form = { 'content-type': 'application/x-www-form-urlencoded' };
/** A path no route has in its normal form: 404 directly and from both proxies' route tables. */
const notNormal = (harp: number): Record<Way, Cells> => ({
  direct: Array(9).fill(404),
  HaRP: Array(8).fill(harp),
  classic: Array(8).fill(404),
});
const same = (cells: Cells): Record<Way, Cells> => ({
  direct: cells,
  HaRP: cells.slice(0, 8),
  classic: cells.slice(0, 8),
});
/** A route AppAPI calls directly and neither proxy forwards (HaRP drops the connection, PHP 404s). */
const lifecycle = (direct: Cells): Record<Way, Cells> => ({
  direct,
  HaRP: Array(8).fill(0),
  classic: Array(8).fill(404),
});

/** An ADMIN route of info.xml: both proxies let only the Nextcloud admin through (HaRP 403, PHP 404). */
const adminRoute = (direct: Cells): Record<Way, Cells> => ({
  direct,
  HaRP: [403, 403, 403, 403, 403, 200, 403, 403],
  classic: [404, 404, 404, 404, 404, 200, 404, 404],
});

//                      anon wrong forged replay user admin ops  token appapi
export const AUTH_MATRIX: readonly MatrixRow[] = [
  {
    name: 'heartbeat',
    method: 'GET',
    path: '/heartbeat',
    privileged: false,
    expect: lifecycle([200, 200, 200, 200, 200, 200, 200, 200, 200]),
  },
  {
    name: 'init',
    method: 'POST',
    path: '/init',
    privileged: true,
    expect: lifecycle([401, 401, 401, 401, 403, 403, 403, 403, 200]),
  },
  {
    name: 'enabled',
    method: 'PUT',
    path: '/enabled?enabled=1',
    privileged: true,
    expect: lifecycle([401, 401, 401, 401, 403, 403, 403, 403, 200]),
  },
  {
    name: 'token for carol (client valtimo)',
    method: 'POST',
    path: '/api/token?client_id=valtimo',
    headers: { 'x-nc-user-id': 'carol' },
    privileged: true,
    // A signed-in user gets tokens only for the clients of KEYCLOAK_USER_TOKEN_CLIENTS (none by default).
    expect: same([401, 401, 401, 401, 403, 403, 200, 403, 401]),
  },
  {
    name: 'sync-user',
    method: 'POST',
    path: '/api/sync-user',
    headers: json,
    body: JSON.stringify({ user_id: 'dave' }),
    privileged: true,
    expect: same([401, 401, 401, 401, 403, 200, 200, 403, 401]),
  },
  {
    name: 'delete-user',
    method: 'POST',
    path: '/api/delete-user',
    headers: json,
    body: JSON.stringify({ user_id: 'never-existed' }),
    privileged: true,
    expect: same([401, 401, 401, 401, 403, 200, 200, 403, 401]),
  },
  {
    name: 'sync-all (async)',
    method: 'POST',
    path: '/api/sync-all?async=1',
    headers: json,
    privileged: true,
    expect: same([401, 401, 401, 401, 403, 202, 202, 403, 401]),
  },
  {
    // What a cross-site form post can send along with a Nextcloud session: refused for sessions.
    name: 'sync-all as a form post',
    method: 'POST',
    path: '/api/sync-all?async=1',
    headers: form,
    privileged: true,
    expect: same([401, 401, 401, 401, 415, 415, 202, 403, 401]),
  },
  {
    name: 'sync-all job (unknown id)',
    method: 'GET',
    path: '/api/sync-all/jobs/no-such-job',
    privileged: true,
    expect: same([401, 401, 401, 401, 403, 404, 404, 403, 401]),
  },
  {
    name: 'status (the admin page)',
    method: 'GET',
    path: '/api/status',
    privileged: true,
    expect: same([401, 401, 401, 401, 403, 200, 200, 403, 401]),
  },
  {
    name: 'metrics',
    method: 'GET',
    path: '/metrics',
    privileged: true,
    expect: adminRoute([401, 401, 401, 401, 403, 200, 200, 403, 401]),
  },
  {
    name: "Keycloak's own readiness",
    method: 'GET',
    path: '/keycloak-management/health/ready',
    privileged: true,
    expect: adminRoute([401, 401, 401, 401, 403, 200, 200, 403, 401]),
  },
  {
    name: 'top-menu icon',
    method: 'GET',
    path: '/img/keycloak.svg',
    privileged: false,
    expect: {
      direct: [200, 200, 200, 200, 200, 200, 200, 200, 200],
      HaRP: [403, 403, 403, 403, 200, 200, 403, 403],
      classic: [404, 404, 404, 404, 200, 200, 404, 404],
    },
  },
  {
    name: 'realm discovery',
    method: 'GET',
    path: '/realms/commonground/.well-known/openid-configuration',
    privileged: false,
    expect: same([200, 200, 200, 200, 200, 200, 200, 200, 200]),
  },
  {
    name: 'login theme file',
    method: 'GET',
    path: '<resource>',
    privileged: false,
    expect: same([200, 200, 200, 200, 200, 200, 200, 200, 200]),
  },
  {
    name: 'master realm',
    method: 'GET',
    path: '/realms/master/.well-known/openid-configuration',
    privileged: true,
    expect: adminRoute([401, 401, 401, 401, 403, 200, 403, 403, 401]),
  },
  {
    name: 'master realm through a double slash',
    method: 'GET',
    path: '/realms//master/.well-known/openid-configuration',
    privileged: true,
    expect: notNormal(404),
  },
  {
    // HaRP drops every path with a `..` segment, literal or encoded.
    name: 'master token endpoint through a dot segment',
    method: 'POST',
    path: '/realms/commonground/../master/protocol/openid-connect/token',
    headers: form,
    body: 'grant_type=client_credentials&client_id=admin-cli',
    privileged: true,
    expect: notNormal(0),
  },
  {
    name: 'admin API through encoded slashes',
    method: 'GET',
    path: '/realms/x%2F..%2F..%2Fadmin/realms',
    privileged: true,
    expect: notNormal(0),
  },
  {
    name: 'admin API through matrix parameters',
    method: 'GET',
    path: '/admin;x=1/realms',
    privileged: true,
    expect: notNormal(404),
  },
  {
    name: 'master realm through an escaped letter',
    method: 'GET',
    path: '/realms/ma%73ter/.well-known/openid-configuration',
    privileged: true,
    expect: notNormal(404),
  },
  {
    // Nobody outside knows a synced user's derived password; the ExApp asks Keycloak directly.
    name: 'password grant through the proxy',
    method: 'POST',
    path: '/realms/commonground/protocol/openid-connect/token',
    headers: form,
    body: 'grant_type=password&client_id=opentalk&username=carol&password=guess',
    privileged: true,
    expect: same([403, 403, 403, 403, 403, 403, 403, 403, 403]),
  },
  {
    name: 'admin console',
    method: 'GET',
    path: '/admin/master/console/',
    privileged: true,
    expect: adminRoute([401, 401, 401, 401, 403, 200, 403, 403, 401]),
  },
];

/** Short column heads of the published tables (CALLERS order); docs/security-model.md explains them. */
export const CALLER_HEADS: Readonly<Record<CallerColumn, string>> = {
  anonymous: 'anon',
  'wrong secret': 'bad secret',
  'forged AppAPI': 'forged',
  'replayed AppAPI': 'replayed',
  user: 'user',
  admin: 'admin',
  'consumer with op': 'cons+op',
  'consumer without op': 'cons-op',
  'AppAPI itself': 'AppAPI',
};

/**
 * docs/security-model.md's table for one way in (direct, HaRP or classic): one line per route, one
 * status per caller ("drop": the proxy closes the connection; "–": that caller cannot come this way).
 */
export function authMatrixMarkdown(way: Way): string {
  const cell = (row: MatrixRow, i: number) => {
    const status = row.expect[way][i];
    return status === null || status === undefined ? '–' : status === 0 ? 'drop' : String(status);
  };
  const header = `| route | ${CALLERS.map((c) => CALLER_HEADS[c]).join(' | ')} |`;
  const rule = `| --- | ${CALLERS.map(() => '--:').join(' | ')} |`;
  const lines = AUTH_MATRIX.map(
    (row) => `| \`${row.method} ${row.path}\` | ${CALLERS.map((_, i) => cell(row, i)).join(' | ')} |`,
  );
  return [header, rule, ...lines].join('\n');
}
