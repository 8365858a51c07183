// info.xml's routes under every way Nextcloud matches them (§7.2): the classic proxy of NC 30–32.0.8
// and 33.0.0–33.0.2, of 32.0.9 and 33.0.3, of 32.0.10+/33.0.4+/34, and HaRP. Every intended path
// must reach the ExApp for the right people, and nothing else may.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import {
  ROUTE_RULES,
  classicRuleFor,
  decideRoute,
  routeMatches,
  type ProxyRoute,
  type RouteRule,
} from '@keycloak-exapp/fake-nextcloud';

const ROOT = resolve(import.meta.dirname, '../../..');
const info = new XMLParser().parse(readFileSync(join(ROOT, 'appinfo/info.xml'), 'utf8'));
const routes: ProxyRoute[] = (
  info.info['external-app'].routes.route as {
    url: string;
    verb: string;
    access_level: ProxyRoute['accessLevel'];
  }[]
).map((r) => ({ url: r.url, verb: r.verb, accessLevel: r.access_level }));

const ANONYMOUS = 0;
const USER = 1;
const ADMIN = 2;

type Outcome = 'forward' | 'refused' | 'none';
/** [method, path, anonymous, logged-in user, admin]: what the proxy must do for each. */
const CASES: [string, string, Outcome, Outcome, Outcome][] = [
  ['GET', '/realms/commonground/.well-known/openid-configuration', 'forward', 'forward', 'forward'],
  ['POST', '/realms/commonground/protocol/openid-connect/token', 'forward', 'forward', 'forward'],
  ['GET', '/realms/master/protocol/openid-connect/auth', 'refused', 'refused', 'forward'],
  ['POST', '/realms/master/protocol/openid-connect/token', 'refused', 'refused', 'forward'],
  ['GET', '/realms/master', 'refused', 'refused', 'forward'],
  ['GET', '/realms/masterful/.well-known/openid-configuration', 'forward', 'forward', 'forward'],
  ['GET', '/resources/x1y2z/login/keycloak.v2/css/login.css', 'forward', 'forward', 'forward'],
  ['GET', '/admin/master/console/', 'refused', 'refused', 'forward'],
  ['PUT', '/admin/realms/commonground/users/1', 'refused', 'refused', 'forward'],
  ['POST', '/api/token', 'forward', 'forward', 'forward'],
  ['POST', '/api/delete-user', 'forward', 'forward', 'forward'],
  ['GET', '/api/sync-all/jobs/1', 'forward', 'forward', 'forward'],
  ['GET', '/metrics', 'refused', 'refused', 'forward'],
  ['GET', '/keycloak-management/health/ready', 'refused', 'refused', 'forward'],
  ['GET', '/keycloak-management/metrics', 'refused', 'refused', 'forward'],
  ['GET', '/keycloak-management/health/readyx', 'none', 'none', 'none'],
  ['GET', '/keycloak-management/', 'none', 'none', 'none'],
  ['GET', '/img/keycloak.svg', 'refused', 'forward', 'forward'],
  ['GET', '/js/keycloak-admin.js', 'refused', 'forward', 'forward'],
  ['GET', '/sign-in/authorize', 'forward', 'forward', 'forward'],
  ['POST', '/sign-in/token', 'none', 'none', 'none'],
  ['GET', '/sign-in/userinfo', 'none', 'none', 'none'],
  ['GET', '/sign-in/authorizex', 'none', 'none', 'none'],
  ['GET', '/heartbeat', 'none', 'none', 'none'],
  ['POST', '/init', 'none', 'none', 'none'],
  ['PUT', '/enabled', 'none', 'none', 'none'],
  ['GET', '/apix/token', 'none', 'none', 'none'],
  ['GET', '/metricsx', 'none', 'none', 'none'],
  ['GET', '/adminx/', 'none', 'none', 'none'],
  ['GET', '/', 'none', 'none', 'none'],
];

/** A refusal is a 403 on HaRP and a 404 on the classic proxy: either way nothing is forwarded. */
function outcome(rule: RouteRule, method: string, path: string, level: number): Outcome {
  const decision = decideRoute(rule, routes, path, method, level);
  if (decision.kind === 'forward') return 'forward';
  const anyRoute = routes.some((r) => routeMatches(rule, r.url, path));
  return anyRoute ? 'refused' : 'none';
}

describe("info.xml's routes under every Nextcloud's route matching", () => {
  for (const rule of ROUTE_RULES) {
    describe(rule, () => {
      for (const [method, path, anonymous, user, admin] of CASES) {
        it(`${method} ${path}: anonymous ${anonymous}, user ${user}, admin ${admin}`, () => {
          expect([ANONYMOUS, USER, ADMIN].map((level) => outcome(rule, method, path, level))).toEqual([
            anonymous,
            user,
            admin,
          ]);
        });
      }
    });
  }

  it('keeps the master realm out of the public realm route in any letter case', () => {
    const publicRealms = routes.find((r) => r.accessLevel === 'PUBLIC' && r.url.includes('realms'))!;
    for (const rule of ROUTE_RULES)
      for (const realm of ['master', 'MASTER', 'Master'])
        expect(routeMatches(rule, publicRealms.url, `/realms/${realm}/protocol/openid-connect/token`)).toBe(
          false,
        );
  });
});

describe('the route-matching model itself', () => {
  it('picks the rule of each Nextcloud version', () => {
    expect(['30.0.17', '31.0.9', '32.0.8', '33.0.2'].map(classicRuleFor)).toEqual(
      Array(4).fill('classic-legacy'),
    );
    expect(['32.0.9', '33.0.3'].map(classicRuleFor)).toEqual(['classic-anchored', 'classic-anchored']);
    expect(['32.0.10', '33.0.4', '34.0.0'].map(classicRuleFor)).toEqual(
      Array(3).fill('classic-anchored-slash'),
    );
  });

  it('shows why the old routes failed: an unescaped slash and a mandatory leading slash match nothing on NC 30–32.0.8', () => {
    expect(routeMatches('classic-legacy', '^/realms/.*', '/realms/commonground/x')).toBe(false);
    expect(routeMatches('classic-anchored', '^/realms/.*', '/realms/commonground/x')).toBe(false);
    expect(routeMatches('classic-anchored-slash', '^/realms/.*', '/realms/commonground/x')).toBe(true);
    expect(routeMatches('harp', '^/realms/.*', '/realms/commonground/x')).toBe(true);
  });

  it('falls through to the next route on NC 30–32.0.8 when the access level fails, but not later', () => {
    const narrowFirst: ProxyRoute[] = [
      { url: '^\\/?realms\\/master\\/', verb: 'GET', accessLevel: 'ADMIN' },
      { url: '^\\/?realms\\/', verb: 'GET', accessLevel: 'PUBLIC' },
    ];
    const path = '/realms/master/protocol/openid-connect/auth';
    expect(decideRoute('classic-legacy', narrowFirst, path, 'GET', ANONYMOUS).kind).toBe('forward');
    expect(decideRoute('classic-anchored-slash', narrowFirst, path, 'GET', ANONYMOUS).kind).toBe('not-found');
    expect(decideRoute('harp', narrowFirst, path, 'GET', ANONYMOUS).kind).toBe('forbidden');
  });

  it('matches HaRP case-sensitively and the classic proxy case-insensitively', () => {
    expect(routeMatches('harp', '^\\/?api\\/', '/API/token')).toBe(false);
    expect(routeMatches('classic-anchored-slash', '^\\/?api\\/', '/API/token')).toBe(true);
  });
});
