import { base64url } from './digest.js';
import type { ManagedUserSpec } from './user.js';

/** The digest of a user this project took access from because Nextcloud no longer has them. */
export const DEPROVISIONED_DIGEST = 'x';

/**
 * The compact digest of what a sync writes for one user: `1` or `0` for the enabled state, then
 * 22 characters of SHA-256 over the profile and the sorted groups. Equal digests mean nothing to
 * write; the enabled flag alone answers the cheap pass (ids and disabled ids only).
 */
export async function digestOfSpec(spec: ManagedUserSpec): Promise<string> {
  const canonical = JSON.stringify([
    spec.nextcloudId,
    spec.username,
    spec.firstName,
    spec.lastName,
    spec.email,
    spec.enabled,
    [...spec.groups].sort(),
  ]);
  const hash = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(canonical));
  return `${spec.enabled ? '1' : '0'}${base64url(new Uint8Array(hash)).slice(0, 22)}`;
}

/** Whether a digest records an enabled user (a deprovisioned or disabled one is not). */
export const isEnabledDigest = (digest: string | undefined): boolean => digest?.startsWith('1') ?? false;
