import { sha256Hex } from './digest.js';

/**
 * Nextcloud user id → Keycloak username.
 *
 * Keycloak 26 stores usernames lower-cased and its default user profile rejects usernames shorter
 * than 3 or longer than 255 characters, with whitespace, control characters or any of
 * `` ` < > & " ' $ % ! # ? § , ; : * ~ / \ | ^ = [ ] { } ( ) ``, and IDN homographs. Nextcloud ids may
 * be any of those. The mapping below is total (every id gives a valid username), injective (two ids
 * never share a username, in particular ids that differ only in case) and, for every id whose
 * encoding fits 255 characters, reversible by `nextcloudIdFromUsername`.
 *
 * Rules, applied in order:
 * 1. `a`–`z`, `0`–`9`, `.` and `-` are kept as they are.
 * 2. Every other code point (upper-case letters, `_`, `@`, spaces, apostrophes, any non-ASCII) is
 *    written `_<hex>_` with the code point in lower-case hexadecimal: `Alice` → `_41_lice`,
 *    `o'brien` → `o_27_brien`, `Zoë` → `_5a_o_eb_`. The output is pure ASCII, so Keycloak's
 *    lower-casing is a no-op and no homograph check can trip.
 * 3. A result shorter than 3 characters is prefixed with `_._` (`al` → `_._al`); `_.` cannot
 *    start an escape, so the prefix is unambiguous.
 * 4. A result longer than 255 characters is cut to its first 190 characters at an escape boundary
 *    and suffixed with `_h` plus the first 40 hex digits of SHA-256(id) (`_h` cannot start an
 *    escape either). Such a username is not reversible; the original id always stays in the
 *    `nextcloud_id` attribute, which is the source of truth for every managed user.
 */
export const USERNAME_MAX_LENGTH = 255;
const SHORT_PREFIX = '_._';
const HASH_MARK = '_h';
const KEEP = /^[a-z0-9.-]$/;

export async function usernameForNextcloudId(nextcloudId: string): Promise<string> {
  const parts = escapedParts(nextcloudId);
  const encoded = withShortPrefix(parts.join(''));
  if (encoded.length <= USERNAME_MAX_LENGTH) return encoded;
  let head = '';
  for (const part of parts) {
    if (head.length + part.length > 190) break;
    head += part;
  }
  return `${head}${HASH_MARK}${(await sha256Hex(nextcloudId)).slice(0, 40)}`;
}

/** Rules 1 and 2, one entry per code point. */
function escapedParts(nextcloudId: string): string[] {
  const parts: string[] = [];
  for (const char of nextcloudId) {
    parts.push(KEEP.test(char) ? char : `_${char.codePointAt(0)!.toString(16)}_`);
  }
  return parts;
}

/** Rule 3. */
function withShortPrefix(encoded: string): string {
  return encoded.length < 3 ? `${SHORT_PREFIX}${encoded}` : encoded;
}

/** Inverse of `usernameForNextcloudId`; `undefined` for hashed (over-long) or foreign usernames. */
export function nextcloudIdFromUsername(username: string): string | undefined {
  let rest = username.startsWith(SHORT_PREFIX) ? username.slice(SHORT_PREFIX.length) : username;
  let out = '';
  while (rest.length > 0) {
    const char = rest[0]!;
    if (char !== '_') {
      if (!KEEP.test(char)) return undefined;
      out += char;
      rest = rest.slice(1);
      continue;
    }
    const match = /^_([0-9a-f]{1,6})_/.exec(rest);
    if (!match) return undefined;
    const codePoint = Number.parseInt(match[1]!, 16);
    if (codePoint > 0x10ffff) return undefined;
    out += String.fromCodePoint(codePoint);
    rest = rest.slice(match[0].length);
  }
  // Only the unhashed encoding is reversible: rules 1–3 must give back exactly this username.
  const reencoded = withShortPrefix(escapedParts(out).join(''));
  return reencoded.length <= USERNAME_MAX_LENGTH && reencoded === username ? out : undefined;
}

/** What Keycloak's default username validators accept (used by tests and the fake). */
export function isValidKeycloakUsername(username: string): boolean {
  if (username.length < 3 || username.length > USERNAME_MAX_LENGTH) return false;
  if (username !== username.toLowerCase()) return false;
  // eslint-disable-next-line no-control-regex
  return !/[\s\u0000-\u001f\u007f`<>&"'$%!#?§,;:*~/\\|^=[\]{}()]/u.test(username);
}
