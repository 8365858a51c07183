import { createHash } from 'node:crypto';
import type { CallOptions, SignInEndpoints, SignInSpec } from '@keycloak-exapp/core';
import type { KeycloakAdminApi } from './admin-api/keycloak-admin-api.js';
import { MANAGED_MARKER } from './managed-marker.js';

/** What a reconcile step did, in the words of RealmReconcileReport. */
interface Report {
  readonly created: string[];
  readonly updated: string[];
  readonly unchanged: string[];
  readonly drift: string[];
}

/** Flows this project made start their description with this; only those are ever changed. */
const FLOW_MARK = 'keycloak-exapp:';
/** Keycloak's own browser flow, copied once and then kept in line. */
const BUILT_IN_BROWSER_FLOW = 'browser';
const REDIRECTOR = 'identity-provider-redirector';
/**
 * Keycloak's SSO-cookie step, off in our browser flow: every login goes to Nextcloud, so a person
 * Nextcloud has signed out, disabled or deleted gets no new login from an old Keycloak session.
 */
const COOKIE = 'auth-cookie';
const FIRST_LOGIN_STEPS = ['idp-detect-existing-broker-user', 'idp-auto-link'] as const;
/** The identity provider's config holds a hash of the client secret (Keycloak never shows the secret). */
const SECRET_HASH = 'keycloak_exapp_client_secret_sha256';

/** The flows and the identity provider a realm gets for `spec` (their names follow its alias). */
export function signInNames(alias: string) {
  return {
    identityProvider: alias,
    firstLoginFlow: `${alias} first login`,
    browserFlow: `${alias} browser`,
    redirectorConfig: `${alias} by default`,
  };
}

function identityProvider(spec: SignInSpec, endpoints: SignInEndpoints) {
  const secret = endpoints.clientSecret.reveal();
  return {
    alias: spec.alias,
    displayName: spec.displayName,
    providerId: 'oauth2',
    enabled: true,
    trustEmail: false,
    storeToken: false,
    linkOnly: false,
    firstBrokerLoginFlowAlias: signInNames(spec.alias).firstLoginFlow,
    config: {
      authorizationUrl: endpoints.authorizationUrl,
      tokenUrl: endpoints.tokenUrl,
      userInfoUrl: endpoints.userInfoUrl,
      clientId: endpoints.clientId,
      clientAuthMethod: 'client_secret_post',
      pkceEnabled: 'true',
      pkceMethod: 'S256',
      defaultScope: 'openid',
      // The account is linked by the Nextcloud id (`sub`) once, then found by it; the username
      // (the synced account's) finds the account to link, which the application made beforehand.
      userIDClaim: 'sub',
      userNameClaim: 'preferred_username',
      // The sync owns the profile: the broker never writes it.
      syncMode: 'IMPORT',
      // A client's silent request (prompt=none, e.g. a single-page app's check-sso) goes on to the
      // application, which answers login_required for an anonymous browser and a code otherwise.
      acceptsPromptNoneForwardFromClient: 'true',
      [MANAGED_MARKER]: 'true',
      [SECRET_HASH]: createHash('sha256').update(secret).digest('hex'),
    },
  };
}

/**
 * Sign in with Nextcloud in the realm: the `oauth2` identity provider that brokers to the
 * application, a first-login flow that links the synced account without asking anything (and
 * refuses when there is none: no account is ever created by a login), and a copy of Keycloak's
 * browser flow whose identity-provider redirector goes there by default and whose SSO-cookie step is
 * off (Nextcloud's session is the one that counts). The realm's browser flow is
 * that copy when `defaultLogin`, Keycloak's own otherwise. Created when missing; what carries our
 * mark is brought in line; anything else that differs is reported as drift.
 */
export async function reconcileSignIn(
  api: KeycloakAdminApi,
  realm: string,
  spec: SignInSpec,
  endpoints: SignInEndpoints,
  realmIsOurs: boolean,
  report: Report,
  opts: CallOptions,
): Promise<void> {
  const names = signInNames(spec.alias);
  await reconcileFirstLoginFlow(api, realm, names.firstLoginFlow, report, opts);
  await reconcileBrowserFlow(api, realm, spec.alias, report, opts);

  const key = `identity-provider:${spec.alias}`;
  const wanted = identityProvider(spec, endpoints);
  const current = await api.call('identityProviders.get', { realm, alias: spec.alias }, opts);
  if (!current) {
    await api.call(
      'identityProviders.create',
      {
        realm,
        body: { ...wanted, config: { ...wanted.config, clientSecret: endpoints.clientSecret.reveal() } },
      },
      opts,
    );
    report.created.push(key);
  } else {
    const same =
      current.providerId === wanted.providerId &&
      current.enabled === true &&
      current.firstBrokerLoginFlowAlias === wanted.firstBrokerLoginFlowAlias &&
      Object.entries(wanted.config).every(([k, v]) => current.config[k] === v);
    if (same) report.unchanged.push(key);
    else if (current.config[MANAGED_MARKER] !== 'true') report.drift.push(key);
    else {
      await api.call(
        'identityProviders.update',
        {
          realm,
          alias: spec.alias,
          body: {
            ...current,
            ...wanted,
            config: { ...current.config, ...wanted.config, clientSecret: endpoints.clientSecret.reveal() },
          },
        },
        opts,
      );
      report.updated.push(key);
    }
  }

  const flowKey = 'realm:browser-flow';
  const wantedFlow = spec.defaultLogin ? names.browserFlow : BUILT_IN_BROWSER_FLOW;
  const realmNow = await api.call('realms.get', { realm }, opts);
  if (realmNow?.browserFlow === wantedFlow) report.unchanged.push(flowKey);
  else if (!realmIsOurs) report.drift.push(flowKey);
  else {
    await api.call('realms.update', { realm, body: { browserFlow: wantedFlow } }, opts);
    report.updated.push(flowKey);
  }
}

async function reconcileFirstLoginFlow(
  api: KeycloakAdminApi,
  realm: string,
  alias: string,
  report: Report,
  opts: CallOptions,
): Promise<void> {
  const key = `flow:${alias}`;
  const flow = (await api.call('flows.list', { realm }, opts)).find((f) => f.alias === alias);
  let created = false;
  if (!flow) {
    await api.call(
      'flows.create',
      {
        realm,
        body: {
          alias,
          description: `${FLOW_MARK} links a Nextcloud login to the synced account; never creates one`,
          providerId: 'basic-flow',
          topLevel: true,
          builtIn: false,
        },
      },
      opts,
    );
    created = true;
  } else if (!flow.description?.startsWith(FLOW_MARK)) {
    report.drift.push(key);
    return;
  }
  let executions = await api.call('flows.executions', { realm, flow: alias }, opts);
  let changed = false;
  for (const provider of FIRST_LOGIN_STEPS)
    if (!executions.some((e) => e.providerId === provider)) {
      await api.call('flows.addExecution', { realm, flow: alias, body: { provider } }, opts);
      changed = true;
    }
  if (changed) executions = await api.call('flows.executions', { realm, flow: alias }, opts);
  for (const execution of executions)
    if (
      FIRST_LOGIN_STEPS.includes(execution.providerId as (typeof FIRST_LOGIN_STEPS)[number]) &&
      execution.requirement !== 'REQUIRED'
    ) {
      await api.call(
        'flows.updateExecution',
        { realm, flow: alias, body: { ...execution, requirement: 'REQUIRED' } },
        opts,
      );
      changed = true;
    }
  if (created) report.created.push(key);
  else if (changed) report.updated.push(key);
  else report.unchanged.push(key);
}

async function reconcileBrowserFlow(
  api: KeycloakAdminApi,
  realm: string,
  identityProviderAlias: string,
  report: Report,
  opts: CallOptions,
): Promise<void> {
  const { browserFlow: alias, redirectorConfig } = signInNames(identityProviderAlias);
  const key = `flow:${alias}`;
  let flow = (await api.call('flows.list', { realm }, opts)).find((f) => f.alias === alias);
  let created = false;
  if (!flow) {
    await api.call('flows.copy', { realm, flow: BUILT_IN_BROWSER_FLOW, body: { newName: alias } }, opts);
    flow = (await api.call('flows.list', { realm }, opts)).find((f) => f.alias === alias);
    if (!flow) throw new Error(`flow "${alias}" vanished after it was copied`);
    await api.call(
      'flows.update',
      {
        realm,
        flowId: flow.id,
        body: {
          ...flow,
          description: `${FLOW_MARK} Keycloak's browser flow, straight to ${identityProviderAlias} (kc_idp_hint= empty shows the form)`,
        },
      },
      opts,
    );
    created = true;
  } else if (!flow.description?.startsWith(FLOW_MARK)) {
    report.drift.push(key);
    return;
  }
  const executions = await api.call('flows.executions', { realm, flow: alias }, opts);
  const redirector = executions.find((e) => e.providerId === REDIRECTOR && e.level === 0);
  if (!redirector) {
    report.drift.push(key);
    return;
  }
  let changed = false;
  const cookie = executions.find((e) => e.providerId === COOKIE && e.level === 0);
  if (cookie && cookie.requirement !== 'DISABLED') {
    await api.call(
      'flows.updateExecution',
      { realm, flow: alias, body: { ...cookie, requirement: 'DISABLED' } },
      opts,
    );
    changed = true;
  }
  if (!redirector.authenticationConfig) {
    await api.call(
      'executions.addConfig',
      {
        realm,
        execution: redirector.id,
        body: { alias: redirectorConfig, config: { defaultProvider: identityProviderAlias } },
      },
      opts,
    );
    changed = true;
  } else {
    const config = await api.call(
      'authenticatorConfigs.get',
      { realm, config: redirector.authenticationConfig },
      opts,
    );
    if (config.config.defaultProvider !== identityProviderAlias) {
      await api.call(
        'authenticatorConfigs.update',
        {
          realm,
          config: config.id,
          body: { ...config, config: { ...config.config, defaultProvider: identityProviderAlias } },
        },
        opts,
      );
      changed = true;
    }
  }
  if (created) report.created.push(key);
  else if (changed) report.updated.push(key);
  else report.unchanged.push(key);
}
