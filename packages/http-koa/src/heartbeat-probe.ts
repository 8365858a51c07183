import { request } from 'node:http';

/** Where the server listens: TCP on loopback, or HaRP's unix socket in FRP mode. */
export type HeartbeatTarget =
  { readonly socketPath: string } | { readonly port: number; readonly host?: string };

/**
 * The reader of `/heartbeat` (lifecycle.routes.ts writes it): healthy only on 200 with
 * `"status":"ok"`; otherwise why, with the server's own reason when it gave one. What the image's
 * HEALTHCHECK runs (`keycloak-exapp healthcheck`), so it loads nothing but node:http.
 */
export function probeHeartbeat(
  target: HeartbeatTarget,
  timeoutMs = 5_000,
): Promise<{ readonly healthy: boolean; readonly why: string }> {
  return new Promise((resolve) => {
    const where =
      'socketPath' in target
        ? { socketPath: target.socketPath }
        : { host: target.host ?? '127.0.0.1', port: target.port };
    const req = request({ ...where, path: '/heartbeat', timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        if (body.length < 65_536) body += chunk;
      });
      res.on('end', () => {
        let parsed: { status?: unknown; reason?: unknown } | undefined;
        try {
          parsed = JSON.parse(body) as typeof parsed;
        } catch {
          parsed = undefined;
        }
        const healthy = res.statusCode === 200 && parsed?.status === 'ok';
        const said = typeof parsed?.reason === 'string' ? parsed.reason : body.slice(0, 500);
        resolve({ healthy, why: `/heartbeat answered ${res.statusCode ?? '?'}: ${said}` });
      });
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs / 1000} s`)));
    req.on('error', (error) =>
      resolve({ healthy: false, why: `/heartbeat cannot be reached: ${error.message}` }),
    );
    req.end();
  });
}
