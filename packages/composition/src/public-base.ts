/** Where browsers and relying parties reach Keycloak, and how that was decided. */
export interface KeycloakPublicBase {
  readonly url: string;
  readonly source: 'KC_HOSTNAME' | 'harp' | 'classic';
}

export interface PublicBaseSettings {
  readonly KC_HOSTNAME?: string | undefined;
  readonly NEXTCLOUD_URL: string;
  readonly APP_ID: string;
  /** Which of Nextcloud's proxies serves the ExApp; unset: HaRP when HP_SHARED_KEY is set. */
  readonly NEXTCLOUD_PROXY?: 'harp' | 'classic' | undefined;
  readonly HP_SHARED_KEY?: string | undefined;
}

/**
 * Keycloak's public base URL, never taken from a request: `KC_HOSTNAME` when set; otherwise
 * derived from `NEXTCLOUD_URL` (minus a trailing `/index.php`, as AppAPI does) and the proxy the
 * ExApp sits behind: `/exapps/<APP_ID>` with HaRP, `/index.php/apps/app_api/proxy/<APP_ID>` with
 * the classic proxy. Keycloak then runs with a fixed hostname (`hostname-strict`), so a token
 * fetched over loopback by `/api/token` and the discovery document a browser reads through
 * Nextcloud carry the same issuer.
 */
export function keycloakPublicBase(settings: PublicBaseSettings): KeycloakPublicBase {
  if (settings.KC_HOSTNAME) return { url: settings.KC_HOSTNAME.replace(/\/+$/, ''), source: 'KC_HOSTNAME' };
  return exAppPublicBase(settings);
}

/** Nextcloud's own address, as AppAPI gives it (minus a trailing `/index.php`). */
export function nextcloudBase(settings: Pick<PublicBaseSettings, 'NEXTCLOUD_URL'>): string {
  return settings.NEXTCLOUD_URL.replace(/\/+$/, '').replace(/\/index\.php$/, '');
}

/**
 * Where a browser reaches this ExApp through Nextcloud's proxy (with its Nextcloud session), even
 * when Keycloak has a hostname of its own: `/exapps/<APP_ID>` with HaRP,
 * `/index.php/apps/app_api/proxy/<APP_ID>` with the classic proxy.
 */
export function exAppPublicBase(
  settings: Omit<PublicBaseSettings, 'KC_HOSTNAME'>,
): KeycloakPublicBase & { readonly source: 'harp' | 'classic' } {
  const nextcloud = nextcloudBase(settings);
  const proxy = settings.NEXTCLOUD_PROXY ?? (settings.HP_SHARED_KEY ? 'harp' : 'classic');
  return proxy === 'harp'
    ? { url: `${nextcloud}/exapps/${settings.APP_ID}`, source: 'harp' }
    : { url: `${nextcloud}/index.php/apps/app_api/proxy/${settings.APP_ID}`, source: 'classic' };
}
