// End to end: the ExApp server with its own Keycloak (embedded mode), behind the fake Nextcloud,
// driven over HTTP as AppAPI, consumers and browsers would. One server for the whole file (a
// Keycloak start costs ~25 s); the modules below run in this order and share it.
import { afterAll, beforeAll } from 'vitest';
import { startExApp } from './exapp-harness.js';
import { addE2eUsers, e2e } from './e2e/context.js';
import { describeAuthMatrix } from './e2e/auth-matrix.js';
import { describeBadInput } from './e2e/bad-input.js';
import { describeBrowser } from './e2e/browser.js';
import { describeInstall } from './e2e/install.js';
import { describeLeastPrivilege } from './e2e/least-privilege.js';
import { describeObservability } from './e2e/observability.js';
import { describeProxy } from './e2e/proxy.js';
import { describeSignIn } from './e2e/sign-in.js';
import { describeStatusPage } from './e2e/status-page.js';
import { describeSyncApi } from './e2e/sync-api.js';
import { describeTokenApi } from './e2e/token-api.js';

beforeAll(async () => {
  e2e.h = await startExApp();
  const nc = e2e.h.nc;
  addE2eUsers(nc);
}, 60_000);

afterAll(async () => {
  await e2e.h?.dispose();
}, 120_000);

describeInstall();
describeLeastPrivilege();
describeTokenApi();
describeSyncApi();
describeAuthMatrix();
describeBadInput();
describeProxy();
describeBrowser();
describeStatusPage();
describeSignIn();
describeObservability();
