import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AppApiRole } from './app-api-role.js';
import type { NextcloudState } from './nextcloud-state.js';
import { ocsFailure, ocsOk, type OcsReply, type OcsVersion } from './ocs-envelope.js';

/** AppAPI's own OCS endpoints (§6.1, §8) as the fake answers them. */
export async function appApiEndpoint(
  nc: NextcloudState & { readonly appApi: AppApiRole },
  version: OcsVersion,
  method: string,
  path: string,
  params: URLSearchParams,
  body: unknown,
): Promise<OcsReply> {
  const field = (name: string): unknown =>
    (body && typeof body === 'object' ? (body as Record<string, unknown>)[name] : undefined) ??
    params.get(name) ??
    undefined;
  const text = (name: string): string => {
    const value = field(name);
    return typeof value === 'string' || typeof value === 'number' ? String(value) : '';
  };
  if (path === '/apps/app_api/ex-app/status' && method === 'PUT') {
    const error = field('error');
    if (typeof error === 'string' && error.length > 0) {
      nc.initStatus.error = error;
      return ocsOk(version, []);
    }
    const progress = Number(field('progress'));
    if (!Number.isInteger(progress) || progress < 0 || progress > 100)
      return { status: 500, body: '<html>Internal Server Error</html>' };
    if (nc.initStatus.progress === 100 && progress !== 0) return ocsOk(version, []);
    nc.initStatus.progress = progress;
    // Progress 100 enables the ExApp synchronously, before this call returns (§6.1).
    if (progress === 100) {
      await nc.appApi.scheduleEnableAfterInit().catch((error: unknown) => {
        nc.initStatus.error = error instanceof Error ? error.message : String(error);
      });
    }
    return ocsOk(version, []);
  }
  // An ExApp's line in Nextcloud's log (OCSApiController::log): level 0-4, else 400.
  if (path === '/apps/app_api/api/v1/log' && method === 'POST') {
    const level = Number(field('level'));
    if (!Number.isInteger(level) || level < 0 || level > 4)
      return ocsFailure(version, 400, 'Invalid log level');
    nc.log.push({ app: nc.exApp.appId, level, message: text('message') });
    return ocsOk(version, []);
  }
  if (path === '/apps/app_api/ex-app/state' && method === 'GET')
    return ocsOk(version, nc.exApp.enabled ? 1 : 0);
  if (path === '/apps/app_api/api/v1/ui/top-menu') {
    const name = text('name');
    if (method === 'POST') {
      if (!name) return ocsFailure(version, 400, 'Top Menu entry could not be registered');
      const icon = text('icon').replace(/^\//, '');
      nc.topMenus.set(name, {
        appid: nc.exApp.appId,
        name,
        display_name: field('displayName'),
        icon,
        admin_required: Number(field('adminRequired') ?? 0),
      });
      return ocsOk(version, []);
    }
    if (method === 'DELETE') {
      if (!nc.topMenus.delete(name)) return ocsFailure(version, 404, 'No such Top Menu entry');
      for (const [key, s] of nc.scripts) if (s.name === name) nc.scripts.delete(key);
      return ocsOk(version, []);
    }
    const entry = nc.topMenus.get(name);
    return entry ? ocsOk(version, entry) : ocsFailure(version, 404, 'No such Top Menu entry');
  }
  if (path === '/apps/app_api/api/v1/ui/script') {
    const type = text('type');
    const name = text('name');
    const scriptPath = text('path').replace(/^\//, '');
    const key = `${type}\0${name}\0${scriptPath}`;
    if (method === 'POST') {
      if (!type || !name || !scriptPath) return ocsFailure(version, 400, 'Script could not be set');
      nc.scripts.set(key, {
        appid: nc.exApp.appId,
        type,
        name,
        path: scriptPath,
        after_app_id: field('afterAppId') ?? null,
      });
      return ocsOk(version, []);
    }
    if (method === 'DELETE')
      return nc.scripts.delete(key) ? ocsOk(version, []) : ocsFailure(version, 404, 'No such Script');
    const script = nc.scripts.get(key);
    return script ? ocsOk(version, script) : ocsFailure(version, 404, 'No such Script');
  }
  return ocsFailure(version, 998, '');
}

/**
 * The top-menu page (§8): a Nextcloud page whose body is `<div id="content">` plus the entry's
 * scripts, each loaded through the classic proxy as `<path>.js`. Admin-only entries need an admin.
 */
export function embeddedPage(
  nc: NextcloudState & { readonly appApi: AppApiRole },
  req: IncomingMessage,
  res: ServerResponse,
  appId: string,
  name: string,
): void {
  const entry = nc.topMenus.get(name);
  const passphrase = /(?:^|;\s*)oc_sessionPassphrase=([^;]+)/.exec(req.headers.cookie ?? '')?.[1];
  const user = passphrase ? nc.sessions.get(passphrase) : undefined;
  if (appId !== nc.exApp.appId || !entry || !user || (entry.admin_required === 1 && !nc.isAdmin(user))) {
    res
      .writeHead(404, { 'content-type': 'text/html' })
      .end('<!DOCTYPE html><html><body>Page not found</body></html>');
    return;
  }
  const scripts = [...nc.scripts.values()]
    .filter((s) => s.type === 'top_menu' && s.name === name)
    .slice(0, 10)
    .map((s) => `<script src="/index.php/apps/app_api/proxy/${appId}/${String(s.path)}.js"></script>`)
    .join('');
  res
    .writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
    .end(
      `<!DOCTYPE html><html><head><title>${String(entry.display_name)}</title></head><body><div id="content"></div>${scripts}</body></html>`,
    );
}
