// The token bench's variants: Keycloak's own password grant and /api/token (cache off, cache on,
// cache on over many users), each a list of requests that a load walks through, one per user.
import type { LoadRequest } from './load.js';
import type { TokenRow } from './results.js';
import { BENCH_SECRET } from './server-process.js';

export interface TokenVariant {
  readonly name: TokenRow['variant'];
  readonly url: string;
  /** The Keycloak usernames (raw variant) or Nextcloud ids whose sessions the run counts. */
  readonly usernames: string[];
  readonly requests: LoadRequest[];
}

/** Keycloak's password grant for plain Keycloak users who share one password. */
export function rawGrantVariant(
  url: string,
  realm: string,
  usernames: string[],
  password: string,
): TokenVariant {
  return {
    name: 'raw Keycloak password grant',
    url,
    usernames,
    requests: usernames.map((username) => ({
      method: 'POST',
      path: `/realms/${realm}/protocol/openid-connect/token`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'password',
        client_id: 'opentalk',
        username,
        password,
        scope: 'openid profile email',
      }).toString(),
    })),
  };
}

/** OpenTalk's request to a server's /api/token, for each Nextcloud user `u<first>`…`u<first+count-1>`. */
export function apiTokenVariant(
  name: TokenRow['variant'],
  url: string,
  first: number,
  count: number,
): TokenVariant {
  const userIds = Array.from({ length: count }, (_, i) => `u${first + i}`);
  return {
    name,
    url,
    usernames: userIds,
    requests: userIds.map((userId) => ({
      method: 'POST',
      path: '/api/token?client_id=opentalk',
      headers: { 'x-api-secret': BENCH_SECRET, 'x-nc-user-id': userId },
    })),
  };
}

/**
 * One request per user, repeated until a pass takes under 10 s: a first pass that grants for
 * every user takes long enough for its first directory checks to be stale by the load, and a
 * cached load should meet fresh checks (what still waits is counted beside the load).
 */
export async function warmUp(variant: TokenVariant): Promise<void> {
  for (let started = performance.now(); ; started = performance.now()) {
    for (const r of variant.requests) {
      const res = await fetch(`${variant.url}${r.path}`, {
        method: r.method,
        headers: r.headers,
        body: r.body,
      });
      if (res.status !== 200)
        throw new Error(`${variant.name}: warm-up answered ${res.status}: ${await res.text()}`);
    }
    if (performance.now() - started < 10_000) return;
  }
}
