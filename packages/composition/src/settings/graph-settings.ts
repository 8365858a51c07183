import { Secret } from '@keycloak-exapp/core';
import { loadRealmFile } from '@keycloak-exapp/adapter-keycloak';
import type { NextcloudConnection } from '@keycloak-exapp/adapter-nextcloud';
import type { z } from 'zod';
import type { ExAppGraphSettings } from '../container.js';
import type { keycloakSettingsSchema } from './keycloak.settings.js';
import type { syncSettingsSchema } from './sync.settings.js';
import type { tokenApiSettingsSchema } from './token-api.settings.js';

type Shared = Pick<
  z.infer<typeof keycloakSettingsSchema>,
  'KEYCLOAK_REALM' | 'KEYCLOAK_REALM_FILE' | 'KEYCLOAK_REDIRECT_URIS' | 'KEYCLOAK_BACKCHANNEL_LOGOUT_URLS'
> &
  Pick<
    z.infer<typeof tokenApiSettingsSchema>,
    'KEYCLOAK_ALLOWED_CLIENTS' | 'DIRECTORY_TTL_SECONDS' | 'TOKEN_CACHE_ENABLED' | 'TOKEN_CACHE_MAX_ENTRIES'
  > &
  Pick<z.infer<typeof syncSettingsSchema>, 'SYNC_CONCURRENCY' | 'DEPROVISION_POLICY'>;

/**
 * The realm, sync and token parts of the graph's settings, mapped from the shared schemas the same
 * way for the server and the CLI.
 */
export type SharedGraphSettings = Pick<ExAppGraphSettings, 'realmSpec' | 'sync' | 'token'>;

export async function sharedGraphSettings(env: Shared): Promise<SharedGraphSettings> {
  return {
    realmSpec: await loadRealmFile(env.KEYCLOAK_REALM_FILE, {
      realm: env.KEYCLOAK_REALM,
      redirectUris: env.KEYCLOAK_REDIRECT_URIS,
      backchannelLogoutUrls: env.KEYCLOAK_BACKCHANNEL_LOGOUT_URLS,
    }),
    sync: { concurrency: env.SYNC_CONCURRENCY, deprovisionPolicy: env.DEPROVISION_POLICY },
    token: {
      allowedClientIds: env.KEYCLOAK_ALLOWED_CLIENTS,
      directoryTtlMs: env.DIRECTORY_TTL_SECONDS * 1000,
      isTokenCacheEnabled: env.TOKEN_CACHE_ENABLED,
      maxCachedTokenSets: env.TOKEN_CACHE_MAX_ENTRIES,
      deprovisionPolicy: env.DEPROVISION_POLICY,
    },
  };
}

/** Nextcloud through AppAPI, as AppAPI's variables describe it. */
export function appApiConnection(env: {
  readonly NEXTCLOUD_URL: string;
  readonly APP_ID: string;
  readonly APP_VERSION: string;
  readonly APP_SECRET: string;
  readonly AA_VERSION?: string | undefined;
  readonly NEXTCLOUD_TIMEOUT_SECONDS: number;
}): NextcloudConnection {
  return {
    url: env.NEXTCLOUD_URL,
    appId: env.APP_ID,
    appVersion: env.APP_VERSION,
    secret: new Secret(env.APP_SECRET),
    aaVersion: env.AA_VERSION,
    requestTimeoutMs: env.NEXTCLOUD_TIMEOUT_SECONDS * 1000,
  };
}
