import { NotFoundError } from '@keycloak-exapp/core';

const UNRESERVED = /[A-Za-z0-9\-._~]/;

/**
 * The normal form of a request path, as a server behind us could read it (RFC 3986 §6.2.2 and
 * what servlet and Vert.x routers do on top of it): backslashes read as slashes, percent-escapes
 * of unreserved characters decoded and the others upper-cased, matrix parameters (`;…`) dropped
 * from each segment, empty segments collapsed and dot segments removed. Returns undefined when
 * the path is not valid percent-encoding.
 */
export function normalPathOf(path: string): string | undefined {
  let decoded = '';
  for (let i = 0; i < path.length; i++) {
    const c = path[i]!;
    if (c === '\\') {
      decoded += '/';
    } else if (c === '%') {
      const hex = path.slice(i + 1, i + 3);
      if (!/^[0-9a-fA-F]{2}$/.test(hex)) return undefined;
      const char = String.fromCharCode(Number.parseInt(hex, 16));
      // An encoded slash, backslash or dot would become a separator or a dot segment further in.
      decoded += UNRESERVED.test(char) ? char : `%${hex.toUpperCase()}`;
      i += 2;
    } else {
      decoded += c;
    }
  }
  const out: string[] = [];
  for (const raw of decoded.split('/')) {
    const segment = raw.split(';')[0] ?? '';
    const plain = segment.replace(/%2E/g, '.');
    if (segment === '' || plain === '.') continue;
    if (plain === '..') out.pop();
    else out.push(segment);
  }
  return `/${out.join('/')}${decoded.endsWith('/') && out.length > 0 ? '/' : ''}`;
}

/**
 * Paths that are normal at a glance (most requests: `/api/token`): segments of unreserved
 * characters only, none empty, `.` or `..`, and at most a trailing slash. `normalPathOf` returns
 * them unchanged (request-path.test.ts holds the two to that), without building anything.
 */
export const PLAINLY_NORMAL = /^(?:\/(?!\.{1,2}(?:\/|$))[A-Za-z0-9\-._~]+)+\/?$/;

/**
 * Accepts a request path only when it is already in its normal form, so that every decision (the
 * route, the admin-only Keycloak paths) is taken on exactly the path a server behind us reads, and
 * the path forwarded is the path decided on. `//`, `/./`, `/../`, `;`, `%2e`, `%2f`, `%5c`, a
 * backslash or any needlessly encoded character is refused with a 404: no route has such a path.
 */
export function assertNormalPath(path: string): void {
  if (path === '/' || PLAINLY_NORMAL.test(path)) return;
  if (/%(2e|2f|5c)/i.test(path) || normalPathOf(path) !== path)
    throw new NotFoundError('no such route (the path is not in its normal form)');
}
