import { z } from 'zod';
import {
  UpstreamError,
  type CallOptions,
  type DirectoryUser,
  type UserDirectory,
} from '@keycloak-exapp/core';
import type { NextcloudHttp } from './nextcloud.http.js';

const id = z.union([z.string(), z.number()]).transform(String);
/** PHP turns an empty array into `[]` and a list with holes into an object with numeric keys. */
const stringList = z
  .union([z.array(id), z.record(z.string(), id)])
  .transform((v) => (Array.isArray(v) ? v : Object.values(v)));

const userDetailsSchema = z.looseObject({
  id,
  enabled: z.boolean().optional(),
  email: z.string().nullish(),
  displayname: z.string().nullish(),
  'display-name': z.string().nullish(),
  groups: stringList.optional(),
});

const detailsPageSchema = z.object({
  users: z.union([z.record(z.string(), userDetailsSchema), z.array(z.unknown()).max(0)]),
});
const idsSchema = z.object({ users: z.union([z.array(id), z.record(z.string(), id)]) });
const disabledSchema = z.object({
  users: z.union([z.record(z.string(), z.looseObject({ id })), z.array(z.unknown())]),
});
const groupsSchema = z.object({ groups: stringList });

export interface NextcloudUserDirectoryOptions {
  /** The Nextcloud admin the ExApp acts as (the provisioning API refuses an empty user). */
  readonly actingUser: string;
  readonly pageSize?: number;
}

/** The UserDirectory port over Nextcloud's OCS provisioning API (§6.2). */
export class NextcloudUserDirectory implements UserDirectory {
  readonly #pageSize: number;

  constructor(
    private readonly http: NextcloudHttp,
    private readonly options: NextcloudUserDirectoryOptions,
  ) {
    this.#pageSize = options.pageSize ?? 500;
  }

  get actingUser(): string {
    return this.options.actingUser;
  }

  async *listUsers(opts: CallOptions & { pageSize?: number } = {}): AsyncIterable<readonly DirectoryUser[]> {
    const limit = opts.pageSize ?? this.#pageSize;
    for (let offset = 0; ; offset += limit) {
      const data = await this.#ocs('cloud/users/details', 'list users', opts, { limit, offset });
      const page = parse(detailsPageSchema, data, 'list users');
      const entries = Array.isArray(page.users) ? [] : Object.entries(page.users);
      yield entries.map(([key, details]) => toDirectoryUser(details, key));
      if (entries.length < limit) return;
    }
  }

  async listUserIds(opts: CallOptions = {}): Promise<readonly string[]> {
    const ids: string[] = [];
    for (let offset = 0; ; offset += this.#pageSize) {
      const data = await this.#ocs('cloud/users', 'list user ids', opts, { limit: this.#pageSize, offset });
      const users = parse(idsSchema, data, 'list user ids').users;
      const page = Array.isArray(users) ? users : Object.values(users);
      ids.push(...page);
      if (page.length < this.#pageSize) return ids;
    }
  }

  async listDisabledUserIds(opts: CallOptions = {}): Promise<readonly string[]> {
    const ids: string[] = [];
    for (let offset = 0; ; offset += this.#pageSize) {
      const data = await this.#ocs('cloud/users/disabled', 'list disabled users', opts, {
        limit: this.#pageSize,
        offset,
      });
      const users = parse(disabledSchema, data, 'list disabled users').users;
      const page = Array.isArray(users) ? [] : Object.entries(users).map(([key, u]) => u.id || key);
      ids.push(...page);
      if (page.length < this.#pageSize) return ids;
    }
  }

  async getUser(userId: string, opts: CallOptions = {}): Promise<DirectoryUser | undefined> {
    if (isDotSegment(userId)) return undefined;
    const data = await this.#ocsOrUndefined(`cloud/users/${encodeURIComponent(userId)}`, 'get user', opts);
    return data === undefined
      ? undefined
      : toDirectoryUser(parse(userDetailsSchema, data, 'get user'), userId);
  }

  async getUserGroups(userId: string, opts: CallOptions = {}): Promise<readonly string[] | undefined> {
    // `cloud/users/../groups` is `cloud/groups`: every group, `admin` included.
    if (isDotSegment(userId)) return undefined;
    const data = await this.#ocsOrUndefined(
      `cloud/users/${encodeURIComponent(userId)}/groups`,
      "get user's groups",
      opts,
    );
    return data === undefined ? undefined : parse(groupsSchema, data, "get user's groups").groups;
  }

  #ocs(
    path: string,
    what: string,
    opts: CallOptions,
    searchParams: Record<string, string | number> = {},
  ): Promise<unknown> {
    return this.http.ocs({
      method: 'GET',
      path,
      searchParams,
      user: this.options.actingUser,
      signal: opts.signal,
      what,
    });
  }

  async #ocsOrUndefined(path: string, what: string, opts: CallOptions): Promise<unknown> {
    try {
      return await this.#ocs(path, what, opts);
    } catch (error) {
      if ((error as { code?: string }).code === 'NOT_FOUND') return undefined;
      throw error;
    }
  }
}

function parse<T extends z.ZodType>(schema: T, data: unknown, what: string): z.infer<T> {
  const parsed = schema.safeParse(data);
  if (!parsed.success)
    throw new UpstreamError(`${what}: unexpected OCS data from Nextcloud`, { cause: parsed.error });
  return parsed.data;
}

function toDirectoryUser(details: z.infer<typeof userDetailsSchema>, fallbackId: string): DirectoryUser {
  if (details.enabled === undefined) {
    // Sub-admins and plain users get reduced entries without the enabled flag: never guess it.
    throw new UpstreamError(
      `user "${details.id || fallbackId}" came without details: the acting user must be a Nextcloud admin`,
    );
  }
  const email = details.email && details.email.length > 0 ? details.email : null;
  return {
    id: details.id || fallbackId,
    displayName: details.displayname ?? details['display-name'] ?? details.id,
    email,
    enabled: details.enabled,
    groups: details.groups ?? [],
  };
}

/** `.` and `..` survive encodeURIComponent and would walk up the OCS path: no such user. */
function isDotSegment(userId: string): boolean {
  return userId === '.' || userId === '..';
}
