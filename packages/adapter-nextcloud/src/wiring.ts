// "@keycloak-exapp/adapter-nextcloud/wiring": binds the UserDirectory port and the AppAPI pieces.
import { ContainerModule } from 'inversify';
import { USER_DIRECTORY } from '@keycloak-exapp/core';
import { AppApiClient } from './app-api-client.js';
import { AppApiRequestVerifier } from './app-api.js';
import { NextcloudHttp, type NextcloudConnection } from './nextcloud.http.js';
import { NextcloudUserDirectory } from './nextcloud-user-directory.js';

export const APP_API_CLIENT: unique symbol = Symbol.for('@keycloak-exapp/adapter-nextcloud.AppApiClient');
export const APP_API_VERIFIER: unique symbol = Symbol.for(
  '@keycloak-exapp/adapter-nextcloud.AppApiRequestVerifier',
);

export interface NextcloudModuleConfig {
  readonly connection: NextcloudConnection;
  readonly actingUser: string;
}

export function nextcloudModule(config: NextcloudModuleConfig): ContainerModule {
  return new ContainerModule(({ bind }) => {
    const http = new NextcloudHttp(config.connection);
    bind(USER_DIRECTORY).toConstantValue(new NextcloudUserDirectory(http, { actingUser: config.actingUser }));
    bind(APP_API_CLIENT).toConstantValue(new AppApiClient(http));
    bind(APP_API_VERIFIER).toConstantValue(
      new AppApiRequestVerifier(config.connection.appId, config.connection.secret),
    );
  });
}
