import Router from '@koa/router';
import { topMenuPageScript } from './top-menu-page.js';

const ICON = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24"><path fill="currentColor" d="M12 2 3 7v6c0 5 3.8 9.4 9 10 5.2-.6 9-5 9-10V7l-9-5zm0 6a3 3 0 0 1 1 5.8V17h-2v-3.2A3 3 0 0 1 12 8z"/></svg>`;

/**
 * The top-menu icon and page script (served through Nextcloud's proxy, USER routes). The script
 * shows the ExApp's status and sync buttons, and Keycloak's admin console in a frame: at KC_HOSTNAME_ADMIN or KC_HOSTNAME when set
 * (HaRP: `https://<nextcloud>/exapps/<appid>`; with the classic PHP proxy a direct URL, because that
 * proxy follows redirects itself and keeps one Set-Cookie, which breaks Keycloak's login), else
 * under HaRP's prefix on the Nextcloud host.
 */
export function uiRoutes(appId: string, consoleBase: string | undefined): Router {
  const router = new Router();
  const consoleUrl = consoleBase ? `${consoleBase.replace(/\/$/, '')}/admin/master/console/` : undefined;
  router.get('/img/keycloak.svg', (ctx) => {
    ctx.type = 'image/svg+xml';
    ctx.set('cache-control', 'public, max-age=86400');
    ctx.body = ICON;
  });
  router.get('/js/keycloak-admin.js', (ctx) => {
    ctx.type = 'application/javascript';
    ctx.set('cache-control', 'no-store');
    ctx.body = topMenuPageScript(appId, consoleUrl);
  });
  return router;
}
