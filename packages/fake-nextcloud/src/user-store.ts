/** A Nextcloud user as the fake keeps it; `details` overrides the generated UserDetails fields. */
export interface FakeUser {
  readonly id: string;
  displayName: string;
  email: string | null;
  enabled: boolean;
  groups: string[];
  details: Record<string, unknown>;
}

export interface FakeUserInput {
  readonly id: string;
  readonly displayName?: string;
  readonly email?: string | null;
  readonly enabled?: boolean;
  readonly groups?: readonly string[];
  /** Server-side fields as Nextcloud would hold them (quota, timestamps, website, …). */
  readonly details?: Record<string, unknown>;
}

/** UserDetails in the order Nextcloud emits them (§6.2), for an admin caller. */
export function userDetails(user: FakeUser): Record<string, unknown> {
  const d = user.details;
  const pick = (key: string, fallback: unknown): unknown => (key in d ? d[key] : fallback);
  return {
    enabled: user.enabled,
    storageLocation: pick('storageLocation', `/var/www/html/data/${user.id}`),
    id: user.id,
    firstLoginTimestamp: pick('firstLoginTimestamp', 0),
    lastLoginTimestamp: pick('lastLoginTimestamp', 0),
    lastLogin: pick('lastLogin', 0),
    backend: pick('backend', 'Database'),
    subadmin: pick('subadmin', []),
    quota: pick('quota', { quota: 'none', used: 0 }),
    manager: pick('manager', ''),
    email: user.email,
    additional_mail: pick('additional_mail', []),
    displayname: user.displayName,
    'display-name': user.displayName,
    phone: pick('phone', ''),
    address: pick('address', ''),
    website: pick('website', ''),
    twitter: pick('twitter', ''),
    bluesky: pick('bluesky', ''),
    fediverse: pick('fediverse', ''),
    organisation: pick('organisation', ''),
    role: pick('role', ''),
    headline: pick('headline', ''),
    biography: pick('biography', ''),
    profile_enabled: pick('profile_enabled', '1'),
    pronouns: pick('pronouns', ''),
    groups: [...user.groups],
    language: pick('language', 'en'),
    locale: pick('locale', ''),
    timezone: pick('timezone', ''),
    notify_email: pick('notify_email', null),
    backendCapabilities: pick('backendCapabilities', { setDisplayName: true, setPassword: true }),
  };
}

/**
 * Users kept sorted the way the database backend pages them: by lower-cased display name, then id
 * (§6.2). Each page is then re-sorted by id, case-insensitively, as Nextcloud does.
 */
export class UserStore {
  readonly #users = new Map<string, FakeUser>();
  #sorted: FakeUser[] | undefined;

  put(input: FakeUserInput): FakeUser {
    const existing = this.#users.get(input.id);
    const user: FakeUser = {
      id: input.id,
      displayName: input.displayName ?? existing?.displayName ?? input.id,
      email: input.email !== undefined ? input.email : (existing?.email ?? null),
      enabled: input.enabled ?? existing?.enabled ?? true,
      groups: [...(input.groups ?? existing?.groups ?? [])],
      details: { ...(existing?.details ?? {}), ...(input.details ?? {}) },
    };
    this.#users.set(user.id, user);
    this.#sorted = undefined;
    return user;
  }

  get(id: string): FakeUser | undefined {
    return this.#users.get(id);
  }

  remove(id: string): boolean {
    this.#sorted = undefined;
    return this.#users.delete(id);
  }

  get size(): number {
    return this.#users.size;
  }

  all(): FakeUser[] {
    this.#sorted ??= [...this.#users.values()].sort(
      (a, b) => cmp(a.displayName.toLowerCase(), b.displayName.toLowerCase()) || cmp(a.id, b.id),
    );
    return this.#sorted;
  }

  page(
    filter: (u: FakeUser) => boolean,
    search: string,
    limit: number | undefined,
    offset: number,
  ): FakeUser[] {
    const needle = search.toLowerCase();
    const matching = this.all().filter(
      (u) =>
        filter(u) &&
        (needle === '' ||
          u.id.toLowerCase().includes(needle) ||
          u.displayName.toLowerCase().includes(needle) ||
          (u.email ?? '').toLowerCase().includes(needle)),
    );
    const slice = limit === undefined ? matching.slice(offset) : matching.slice(offset, offset + limit);
    return slice.sort((a, b) => cmp(a.id.toLowerCase(), b.id.toLowerCase()));
  }
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
