// Keycloak's own record of admin writes, as the independent witness for "how many writes did we
// cause": every admin REST call that changes something (create, update, delete, actions such as
// reset-password) leaves an admin event once the realm has them switched on. Reads leave none.
import type { KeycloakHttp } from '@keycloak-exapp/adapter-keycloak';

export interface AdminEvent {
  readonly time: number;
  readonly operationType: 'CREATE' | 'UPDATE' | 'DELETE' | 'ACTION';
  readonly resourceType: string;
  readonly resourcePath: string;
}

export async function enableAdminEvents(http: KeycloakHttp, realm: string): Promise<void> {
  const path = `admin/realms/${encodeURIComponent(realm)}/events/config`;
  const config = JSON.parse((await http.admin('GET', path, { what: 'read events config' })).body) as object;
  await http.admin('PUT', path, {
    json: { ...config, adminEventsEnabled: true, adminEventsDetailsEnabled: false },
    what: 'enable admin events',
  });
}

/** Every admin event of the realm, newest first. */
export async function adminEvents(http: KeycloakHttp, realm: string): Promise<AdminEvent[]> {
  const all: AdminEvent[] = [];
  const max = 5_000;
  for (let first = 0; ; first += max) {
    const page = JSON.parse(
      (
        await http.admin('GET', `admin/realms/${encodeURIComponent(realm)}/admin-events`, {
          searchParams: { first, max },
          what: 'list admin events',
          timeoutMs: 60_000,
        })
      ).body,
    ) as AdminEvent[];
    all.push(...page);
    if (page.length < max) return all;
  }
}

/** A counter of admin writes from a point on: `mark()`, do things, then `since()`. */
export class AdminWriteCounter {
  #baseline = 0;
  constructor(
    private readonly http: KeycloakHttp,
    private readonly realm: string,
  ) {}

  async mark(): Promise<void> {
    this.#baseline = (await adminEvents(this.http, this.realm)).length;
  }

  /** The events recorded since the last mark, newest first. */
  async since(): Promise<AdminEvent[]> {
    const events = await adminEvents(this.http, this.realm);
    return events.slice(0, events.length - this.#baseline);
  }
}

export const isPasswordReset = (e: AdminEvent): boolean =>
  e.operationType === 'ACTION' && e.resourcePath.endsWith('/reset-password');

/** The Keycloak user id in a `users/<id>/…` resource path. */
export const userIdOf = (e: AdminEvent): string | undefined => /^users\/([^/]+)/.exec(e.resourcePath)?.[1];

/** Active sessions of these users, by username (each password grant opens one; a refresh reuses it). */
export async function userSessionCount(
  http: KeycloakHttp,
  realm: string,
  usernames: readonly string[],
): Promise<number> {
  let total = 0;
  for (const username of usernames) {
    const base = `admin/realms/${encodeURIComponent(realm)}/users`;
    const [user] = JSON.parse(
      (await http.admin('GET', base, { searchParams: { username, exact: true }, what: 'find user' })).body,
    ) as { id: string }[];
    if (!user) continue;
    const sessions = JSON.parse(
      (await http.admin('GET', `${base}/${user.id}/sessions`, { what: 'user sessions' })).body,
    ) as unknown[];
    total += sessions.length;
  }
  return total;
}
