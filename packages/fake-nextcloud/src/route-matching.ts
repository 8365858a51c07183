import type { AccessLevel, ProxyRoute } from './nextcloud-state.js';

/**
 * How a proxy of Nextcloud matches an ExApp's info.xml routes (protocol reference §3.5, §7.2,
 * read from app_api's tags and HaRP's agent):
 * - `classic-legacy` (NC 30.x, 31.x, 32.0.0–32.0.8, 33.0.0–33.0.2): `preg_match('/' . url . '/i',
 *   path without its leading slash)`; `/` is the delimiter, so an unescaped `/` in url is a PHP
 *   error (no match). The first route matching path, verb **and** access level is taken: a
 *   request that fails one route's level falls through to the next.
 * - `classic-anchored` (NC 32.0.9, 33.0.3): `preg_match('~^(?:' . url . ')~i', path without slash)`.
 * - `classic-anchored-slash` (NC 32.0.10+, 33.0.4+, 34.x): as above against the path with its
 *   leading slash, then without. From `classic-anchored` on, the first route matching path and
 *   verb decides; a failed level is a 404.
 * - `harp`: Python `re.match(url, '/' + path)`: anchored, case-sensitive, verb ignored; a failed
 *   level is a 403.
 */
export type RouteRule = 'classic-legacy' | 'classic-anchored' | 'classic-anchored-slash' | 'harp';

export const ROUTE_RULES: readonly RouteRule[] = [
  'classic-legacy',
  'classic-anchored',
  'classic-anchored-slash',
  'harp',
];

/** The classic proxy's rule in a Nextcloud version (`major.minor.patch`). */
export function classicRuleFor(version: string): RouteRule {
  const [major = 0, , patch = 0] = version.split('.').map((n) => Number.parseInt(n, 10));
  if (major <= 31) return 'classic-legacy';
  if (major >= 34) return 'classic-anchored-slash';
  const [legacyUpTo, anchoredAt] = major === 32 ? [8, 9] : [2, 3];
  if (patch <= legacyUpTo) return 'classic-legacy';
  return patch === anchoredAt ? 'classic-anchored' : 'classic-anchored-slash';
}

/** PHP's delimiter scan: the pattern ends at the first unescaped delimiter (the rest: modifiers). */
function breaksDelimiter(url: string, delimiter: string): boolean {
  for (let i = 0; i < url.length; i++) {
    if (url[i] === '\\') i++;
    else if (url[i] === delimiter) return true;
  }
  return false;
}

function compile(source: string, flags: string): RegExp | undefined {
  try {
    return new RegExp(source, flags);
  } catch {
    return undefined; // PCRE would refuse it too (a warning and no match)
  }
}

/** Whether `url` matches `path` (which starts with `/`) under `rule`. */
export function routeMatches(rule: RouteRule, url: string, path: string): boolean {
  const withoutSlash = path.replace(/^\//, '');
  switch (rule) {
    case 'classic-legacy':
      return !breaksDelimiter(url, '/') && (compile(url, 'i')?.test(withoutSlash) ?? false);
    case 'classic-anchored':
      return !breaksDelimiter(url, '~') && (compile(`^(?:${url})`, 'i')?.test(withoutSlash) ?? false);
    case 'classic-anchored-slash': {
      if (breaksDelimiter(url, '~')) return false;
      const pattern = compile(`^(?:${url})`, 'i');
      return (pattern?.test(path) ?? false) || (pattern?.test(withoutSlash) ?? false);
    }
    case 'harp':
      return compile(`^(?:${url})`, '')?.test(path) ?? false;
  }
}

const LEVEL: Record<AccessLevel, number> = { PUBLIC: 0, USER: 1, ADMIN: 2 };

export type RouteDecision =
  | { readonly kind: 'forward'; readonly route: ProxyRoute }
  | { readonly kind: 'forbidden' }
  | { readonly kind: 'not-found' };

/** What the proxy does with a request: forward it, refuse it (403, HaRP only) or 404. */
export function decideRoute(
  rule: RouteRule,
  routes: readonly ProxyRoute[],
  path: string,
  method: string,
  userLevel: number,
): RouteDecision {
  const verbMatches = (r: ProxyRoute) => r.verb.toUpperCase().includes(method.toUpperCase());
  const levelMet = (r: ProxyRoute) => LEVEL[r.accessLevel] <= userLevel;
  const matching = routes.filter((r) => routeMatches(rule, r.url, path));
  if (rule === 'harp') {
    const route = matching[0];
    if (!route) return { kind: 'not-found' };
    return levelMet(route) ? { kind: 'forward', route } : { kind: 'forbidden' };
  }
  if (rule === 'classic-legacy') {
    const route = matching.find((r) => verbMatches(r) && levelMet(r));
    return route ? { kind: 'forward', route } : { kind: 'not-found' };
  }
  const route = matching.find(verbMatches);
  return route && levelMet(route) ? { kind: 'forward', route } : { kind: 'not-found' };
}
