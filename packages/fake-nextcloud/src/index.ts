export { FakeNextcloud, type FakeNextcloudOptions } from './fake-nextcloud.js';
export type { FakeExAppRecord, NextcloudState, RecordedCall } from './nextcloud-state.js';
export { AppApiRole, type ExAppAnswer } from './app-api-role.js';
export { HarpBanList } from './harp-ban-list.js';
export type { ExAppTarget } from './exapp-request.js';
export type { AccessLevel, ProxyRoute } from './nextcloud-state.js';
export {
  ROUTE_RULES,
  classicRuleFor,
  decideRoute,
  routeMatches,
  type RouteDecision,
  type RouteRule,
} from './route-matching.js';
export { phpJsonEncode } from './php-json.js';
export { ocsFailure, ocsOk, type OcsVersion } from './ocs-envelope.js';
export { userDetails, type FakeUser, type FakeUserInput } from './user-store.js';
export { NEXTCLOUD_FIXTURES_DIR } from './fixtures.js';
export { DEFAULT_PAGE, redirectAfterLogin } from './login-page.js';
