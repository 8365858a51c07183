import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import type { ProxyRoute } from '@keycloak-exapp/fake-nextcloud';
import { REPO_ROOT } from './keycloak-test-server.js';

/** The routes Nextcloud registers from appinfo/info.xml, as the fake's proxies use them. */
export function infoXmlRoutes(): ProxyRoute[] {
  const info = new XMLParser().parse(readFileSync(join(REPO_ROOT, 'appinfo/info.xml'), 'utf8')) as {
    info: {
      'external-app': {
        routes: {
          route: {
            url: string;
            verb: string;
            access_level: ProxyRoute['accessLevel'];
            bruteforce_protection?: string;
          }[];
        };
      };
    };
  };
  return info.info['external-app'].routes.route.map((r) => ({
    url: r.url,
    verb: r.verb,
    accessLevel: r.access_level,
    ...(r.bruteforce_protection
      ? { bruteforceProtection: JSON.parse(r.bruteforce_protection) as number[] }
      : {}),
  }));
}
