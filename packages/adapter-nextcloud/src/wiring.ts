// "@keycloak-exapp/adapter-nextcloud/wiring": binds the UserDirectory port and the AppAPI pieces.
import { ContainerModule } from 'inversify';
import { USER_DIRECTORY, type UserDirectory } from '@keycloak-exapp/core';
import { AppApiClient } from './app-api-client.js';
import { AppApiRequestVerifier } from './app-api.js';
import { NextcloudHttp, type NextcloudConnection } from './nextcloud.http.js';
import { NextcloudUserDirectory } from './nextcloud-user-directory.js';

export const NEXTCLOUD_HTTP: unique symbol = Symbol.for('@keycloak-exapp/adapter-nextcloud.NextcloudHttp');
export const APP_API_CLIENT: unique symbol = Symbol.for('@keycloak-exapp/adapter-nextcloud.AppApiClient');
export const APP_API_VERIFIER: unique symbol = Symbol.for(
  '@keycloak-exapp/adapter-nextcloud.AppApiRequestVerifier',
);

/** What `nextcloudModule` binds, for a typed container (type-only: no runtime dependency). */
export interface NextcloudBindings {
  [NEXTCLOUD_HTTP]: NextcloudHttp;
  [USER_DIRECTORY]: UserDirectory;
  [APP_API_CLIENT]: AppApiClient;
  [APP_API_VERIFIER]: AppApiRequestVerifier;
}

export interface NextcloudModuleConfig {
  readonly connection: NextcloudConnection;
  readonly actingUser: string;
}

export function nextcloudModule(config: NextcloudModuleConfig): ContainerModule {
  return new ContainerModule(({ bind }) => {
    bind(NEXTCLOUD_HTTP)
      .toResolvedValue(() => new NextcloudHttp(config.connection))
      .inSingletonScope();
    bind(USER_DIRECTORY)
      .toResolvedValue(
        (http: NextcloudHttp) => new NextcloudUserDirectory(http, { actingUser: config.actingUser }),
        [NEXTCLOUD_HTTP],
      )
      .inSingletonScope();
    bind(APP_API_CLIENT)
      .toResolvedValue((http: NextcloudHttp) => new AppApiClient(http), [NEXTCLOUD_HTTP])
      .inSingletonScope();
    bind(APP_API_VERIFIER)
      .toResolvedValue(() => new AppApiRequestVerifier(config.connection.appId, config.connection.secret))
      .inSingletonScope();
  });
}
