import { base64url } from './digest.js';
import { normalizeEmail, normalizeGroups, type ManagedIdpUser, type ManagedUserSpec } from './user.js';

/** The digest of a user this project took access from because Nextcloud no longer has them. */
export const DEPROVISIONED_DIGEST = 'x';

type DigestedFields = Pick<ManagedUserSpec, 'nextcloudId' | 'username' | 'enabled' | 'groups'> & {
  readonly firstName: string | null;
  readonly lastName: string | null;
  readonly email: string | null;
};

/**
 * The compact digest of what a sync writes for one user: `1` or `0` for the enabled state, then
 * 22 characters of SHA-256 over the profile and the sorted groups. Equal digests mean nothing to
 * write; the enabled flag alone answers the cheap pass (ids and disabled ids only).
 */
export function digestOfSpec(spec: ManagedUserSpec): Promise<string> {
  return digestOf(spec);
}

/**
 * The digest of what the identity provider holds for a managed user, in the terms of `digestOfSpec`:
 * equal to the digest of a spec exactly when `differingFields(spec, user)` is empty. A verifying
 * pass keeps this (not the user) per user, so its memory does not grow with profile sizes.
 */
export function digestOfIdpUser(user: ManagedIdpUser): Promise<string> {
  return digestOf({
    nextcloudId: user.nextcloudId,
    username: user.username,
    firstName: user.firstName,
    lastName: user.lastName,
    email: normalizeEmail(user.email),
    enabled: user.enabled,
    groups: normalizeGroups(user.groups),
  });
}

async function digestOf(fields: DigestedFields): Promise<string> {
  const canonical = JSON.stringify([
    fields.nextcloudId,
    fields.username,
    fields.firstName,
    fields.lastName,
    fields.email,
    fields.enabled,
    [...fields.groups].sort(),
  ]);
  const hash = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(canonical));
  return `${fields.enabled ? '1' : '0'}${base64url(new Uint8Array(hash)).slice(0, 22)}`;
}

/** Whether a digest records an enabled user (a deprovisioned or disabled one is not). */
export const isEnabledDigest = (digest: string | undefined): boolean => digest?.startsWith('1') ?? false;
