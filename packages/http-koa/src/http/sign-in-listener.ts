import { createServer, type RequestListener, type Server } from 'node:http';
import type { Logger } from '@keycloak-exapp/core';
import type { ServerEnv } from '@keycloak-exapp/composition';

/**
 * The listener of the sign-in broker's token and user endpoints: Keycloak calls them directly, so
 * they are served apart from everything Nextcloud's proxies reach (and from HaRP's unix socket).
 * It binds before the object graph exists (the realm's identity provider needs its URL) and serves
 * once `serve` hands it the app; until then it answers 503.
 */
export interface SignInListener {
  /** How Keycloak reaches it. */
  readonly url: string;
  serve(handler: RequestListener): void;
  close(): Promise<void>;
}

/**
 * Binds `SIGN_IN_LISTEN` (default 127.0.0.1 on a free port). An external Keycloak cannot call
 * loopback, so without `SIGN_IN_LISTEN` there is no listener (sign-in is off, and the log says why).
 */
export async function openSignInListener(
  env: ServerEnv,
  logger: Logger,
): Promise<SignInListener | undefined> {
  if (env.KEYCLOAK_MODE === 'external' && !env.SIGN_IN_LISTEN) return undefined;
  const [host, port] = env.SIGN_IN_LISTEN
    ? [
        env.SIGN_IN_LISTEN.slice(0, env.SIGN_IN_LISTEN.lastIndexOf(':')),
        Number(env.SIGN_IN_LISTEN.split(':').pop()),
      ]
    : ['127.0.0.1', 0];
  let handler: RequestListener = (_req, res) => {
    res
      .writeHead(503, { 'content-type': 'application/json' })
      .end('{"error":"not ready","code":"NOT_READY"}');
  };
  const server: Server = createServer((req, res) => handler(req, res));
  server.requestTimeout = 30_000;
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(port, host, ok);
  });
  const bound = (server.address() as { port: number }).port;
  const url = env.SIGN_IN_INTERNAL_URL ?? `http://127.0.0.1:${bound}`;
  logger.info({ host, port: bound, url }, 'sign-in broker endpoints listening');
  return {
    url,
    serve(next) {
      handler = next;
    },
    close: () =>
      new Promise<void>((ok) => {
        server.close(() => ok());
        server.closeAllConnections();
      }),
  };
}
