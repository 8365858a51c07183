export {
  AppApiRequestVerifier,
  appApiHeaders,
  type AppApiIdentity,
  type AppApiVerification,
} from './app-api.js';
export { AppApiClient, type NextcloudLogLevel, type TopMenuEntry } from './app-api-client.js';
export { ConstantTimeSecret } from './constant-time-secret.js';
export {
  NextcloudHttp,
  nextcloudBaseUrl,
  type NextcloudConnection,
  type OcsRequest,
} from './nextcloud.http.js';
export { NextcloudUserDirectory, type NextcloudUserDirectoryOptions } from './nextcloud-user-directory.js';
export { unwrapOcs, type OcsAnswer } from './ocs.js';
