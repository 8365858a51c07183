import { usernameForNextcloudId } from './username.js';

/** A user as the user directory (Nextcloud) knows it. */
export interface DirectoryUser {
  readonly id: string;
  readonly displayName: string;
  readonly email: string | null;
  readonly enabled: boolean;
  readonly groups: readonly string[];
}

/** The attribute that holds the original Nextcloud id; its presence marks a user as ours. */
export const NEXTCLOUD_ID_ATTRIBUTE = 'nextcloud_id';
/** The attribute that records which vault key the user's current password was derived with. */
export const PASSWORD_KEY_ATTRIBUTE = 'nextcloud_password_key';

/** What the identity provider should hold for one directory user. */
export interface ManagedUserSpec {
  readonly nextcloudId: string;
  readonly username: string;
  readonly firstName: string;
  readonly lastName: string;
  readonly email: string | null;
  readonly enabled: boolean;
  /** Names of the directory groups the user belongs to, sorted, without duplicates. */
  readonly groups: readonly string[];
}

/** A user in the identity provider. `nextcloudId` is null for users this project does not manage. */
export interface IdpUser {
  readonly id: string;
  readonly username: string;
  readonly nextcloudId: string | null;
  readonly firstName: string | null;
  readonly lastName: string | null;
  readonly email: string | null;
  readonly enabled: boolean;
  /** Membership in groups this project manages (the directory's groups), sorted. */
  readonly groups: readonly string[];
  /** Id of the vault key the current password was derived with; null when none was set by us. */
  readonly passwordKeyId: string | null;
}

export interface ManagedIdpUser extends IdpUser {
  readonly nextcloudId: string;
}

const NAME_MAX_LENGTH = 255;

/**
 * Splits a display name into first and last name; neither is ever empty.
 * - Whitespace is trimmed and collapsed; an empty display name falls back to the user id.
 * - The first word is the first name, the rest the last name, so Dutch surnames keep their
 *   particles: "Zoë van der Berg" → "Zoë" / "van der Berg".
 * - A single word is used for both ("alice" → "alice" / "alice"), because consumers show
 *   "first last" and Keycloak's profile may require both.
 * - Each part is cut to 255 characters (Keycloak's limit), on a code point boundary.
 */
export function splitDisplayName(
  displayName: string,
  fallback: string,
): { firstName: string; lastName: string } {
  const words = displayName
    .trim()
    .split(/\s+/u)
    .filter((w) => w.length > 0);
  const source =
    words.length > 0
      ? words
      : fallback
          .trim()
          .split(/\s+/u)
          .filter((w) => w.length > 0);
  const all = source.length > 0 ? source : [fallback.length > 0 ? fallback : '-'];
  const first = all[0]!;
  const last = all.length > 1 ? all.slice(1).join(' ') : first;
  return { firstName: clip(first), lastName: clip(last) };
}

function clip(value: string): string {
  const chars = Array.from(value);
  return chars.length <= NAME_MAX_LENGTH ? value : chars.slice(0, NAME_MAX_LENGTH).join('');
}

/** Keycloak lower-cases e-mail addresses; compare and send them the same way. Missing stays missing. */
export function normalizeEmail(email: string | null): string | null {
  if (email === null) return null;
  const trimmed = email.trim().toLowerCase();
  return trimmed.length === 0 ? null : trimmed;
}

export function normalizeGroups(groups: readonly string[]): string[] {
  return [...new Set(groups.filter((g) => g.length > 0))].sort();
}

export async function toManagedUserSpec(user: DirectoryUser): Promise<ManagedUserSpec> {
  const { firstName, lastName } = splitDisplayName(user.displayName, user.id);
  return {
    nextcloudId: user.id,
    username: await usernameForNextcloudId(user.id),
    firstName,
    lastName,
    email: normalizeEmail(user.email),
    enabled: user.enabled,
    groups: normalizeGroups(user.groups),
  };
}

/** The fields of `spec` that differ from what the identity provider holds (empty = unchanged). */
export function differingFields(spec: ManagedUserSpec, current: IdpUser): (keyof ManagedUserSpec)[] {
  const diff: (keyof ManagedUserSpec)[] = [];
  if (current.username !== spec.username) diff.push('username');
  if (current.firstName !== spec.firstName) diff.push('firstName');
  if (current.lastName !== spec.lastName) diff.push('lastName');
  if (normalizeEmail(current.email) !== spec.email) diff.push('email');
  if (current.enabled !== spec.enabled) diff.push('enabled');
  const groups = normalizeGroups(current.groups);
  if (groups.length !== spec.groups.length || groups.some((g, i) => g !== spec.groups[i]))
    diff.push('groups');
  return diff;
}
