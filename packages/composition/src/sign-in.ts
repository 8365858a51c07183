import { Secret, type BrokerClient, type RealmSpec, type SignInEndpoints } from '@keycloak-exapp/core';
import {
  exAppPublicBase,
  nextcloudBase,
  type KeycloakPublicBase,
  type PublicBaseSettings,
} from './public-base.js';

/** The client id Keycloak's broker uses at this ExApp's authorization endpoints. */
export const SIGN_IN_CLIENT_ID = 'keycloak-broker';
/** Where the sign-in endpoints are mounted (the browser-facing one is declared in info.xml). */
export const SIGN_IN_PATH = '/sign-in';

export type SignInSettings = Omit<PublicBaseSettings, 'KC_HOSTNAME'>;

/** Everything "Sign in with Nextcloud" needs, on both sides of the broker. */
export interface SignInWiring {
  /** What the realm's identity provider is configured with. */
  readonly endpoints: SignInEndpoints;
  /** What this ExApp's authorization server accepts. */
  readonly client: BrokerClient;
  /** Nextcloud's login page, where an anonymous browser is sent. */
  readonly nextcloudLoginUrl: string;
  /** The authorization endpoint's path through Nextcloud's proxy (Nextcloud's login returns there). */
  readonly authorizePathThroughProxy: string;
}

/**
 * The sign-in wiring for `spec`'s `signIn`, or why there is none: the realm file declares no sign-in,
 * or nothing says where Keycloak reaches the broker endpoints (`internalUrl`: the server's own
 * listener for them, loopback for the embedded Keycloak, `SIGN_IN_INTERNAL_URL` for an external one).
 */
export function signInWiring(
  spec: RealmSpec,
  settings: SignInSettings,
  keycloakPublic: KeycloakPublicBase,
  clientSecret: string,
  internalUrl: string | undefined,
): { readonly wiring: SignInWiring } | { readonly wiring?: undefined; readonly reason: string } {
  if (!spec.signIn) return { reason: 'the realm file declares no signIn' };
  const internal = internalUrl;
  if (!internal)
    return {
      reason:
        'an external Keycloak must reach this ExApp directly for sign-in: set SIGN_IN_LISTEN and SIGN_IN_INTERNAL_URL',
    };
  const exApp = exAppPublicBase(settings).url;
  const authorizationUrl = `${exApp}${SIGN_IN_PATH}/authorize`;
  const base = internal.replace(/\/+$/, '');
  const secret = new Secret(clientSecret);
  return {
    wiring: {
      endpoints: {
        authorizationUrl,
        tokenUrl: `${base}${SIGN_IN_PATH}/token`,
        userInfoUrl: `${base}${SIGN_IN_PATH}/userinfo`,
        clientId: SIGN_IN_CLIENT_ID,
        clientSecret: secret,
      },
      client: {
        clientId: SIGN_IN_CLIENT_ID,
        secret,
        redirectUri: `${keycloakPublic.url}/realms/${spec.realm}/broker/${spec.signIn.alias}/endpoint`,
      },
      nextcloudLoginUrl: `${nextcloudBase(settings)}/index.php/login`,
      authorizePathThroughProxy: new URL(authorizationUrl).pathname,
    },
  };
}

/** `spec` with the sign-in endpoints its reconcile needs. */
export function withSignInEndpoints(spec: RealmSpec, endpoints: SignInEndpoints | undefined): RealmSpec {
  return spec.signIn && endpoints ? { ...spec, signIn: { ...spec.signIn, endpoints } } : spec;
}
