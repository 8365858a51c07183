import Router from '@koa/router';

const ICON = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24"><path fill="currentColor" d="M12 2 3 7v6c0 5 3.8 9.4 9 10 5.2-.6 9-5 9-10V7l-9-5zm0 6a3 3 0 0 1 1 5.8V17h-2v-3.2A3 3 0 0 1 12 8z"/></svg>`;

/** The top-menu icon and loader script (served through Nextcloud's proxy, USER routes). */
export function uiRoutes(appId: string): Router {
  const router = new Router();
  router.get('/img/keycloak.svg', (ctx) => {
    ctx.type = 'image/svg+xml';
    ctx.set('cache-control', 'public, max-age=86400');
    ctx.body = ICON;
  });
  router.get('/js/keycloak-admin.js', (ctx) => {
    ctx.type = 'application/javascript';
    ctx.set('cache-control', 'no-store');
    // Opens Keycloak's admin console through Nextcloud's proxy in the embedded page's content area.
    ctx.body = `(function () {
  var base = (window.OC && OC.webroot) || '';
  var url = base + '/index.php/apps/app_api/proxy/${appId}/admin/';
  var content = document.getElementById('content');
  if (!content) { window.location.href = url; return; }
  var frame = document.createElement('iframe');
  frame.src = url;
  frame.title = 'Keycloak';
  frame.style.cssText = 'border:0;width:100%;height:100%';
  content.appendChild(frame);
})();
`;
  });
  return router;
}
