import type { DirectoryUser } from '../../domain/user.js';
import type { CallOptions } from '../signal.js';

/**
 * The user directory (Nextcloud). A page that cannot be read throws; callers never treat a
 * missing page as missing users.
 */
export interface UserDirectory {
  /** Every user with details, page by page. */
  listUsers(opts?: CallOptions & { pageSize?: number }): AsyncIterable<readonly DirectoryUser[]>;
  /** Every user id; cheaper than `listUsers`. */
  listUserIds(opts?: CallOptions): Promise<readonly string[]>;
  /** Ids of disabled users. */
  listDisabledUserIds(opts?: CallOptions): Promise<readonly string[]>;
  /** One user, or undefined when the directory does not know them. */
  getUser(id: string, opts?: CallOptions): Promise<DirectoryUser | undefined>;
  /** The user's group names, or undefined when the user is unknown. */
  getUserGroups(id: string, opts?: CallOptions): Promise<readonly string[] | undefined>;
}
