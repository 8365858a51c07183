import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import { Secret, type Logger } from '@keycloak-exapp/core';
import type Koa from 'koa';
import type { ServerEnv } from '@keycloak-exapp/composition';
import { FrpClient } from '../frp-client.js';
import { createHttpServer } from './http-server.js';
import type { FastLane } from './token-fast-lane.js';

/** TCP, or HaRP's unix socket (with frpc in FRP mode); `close` drains connections around `stopWork`. */
export function serverListener(
  env: ServerEnv,
  app: Koa,
  fastLane: FastLane,
  logger: Logger,
  onFrpc: (client: FrpClient) => void,
): { listen(): Promise<Server>; close(stopWork: () => Promise<void>): Promise<void> } {
  let server: Server | undefined;
  return {
    async listen() {
      const listening = createHttpServer(app, fastLane);
      server = listening;
      if (!env.HP_SHARED_KEY) {
        await new Promise<void>((ok) => listening.listen(env.APP_PORT, env.APP_HOST, ok));
        logger.info(
          { host: env.APP_HOST, port: (listening.address() as { port: number }).port },
          'listening',
        );
        return listening;
      }
      if (existsSync(env.HP_EXAPP_SOCK)) await rm(env.HP_EXAPP_SOCK);
      await new Promise<void>((ok) => listening.listen(env.HP_EXAPP_SOCK, ok));
      logger.info({ socket: env.HP_EXAPP_SOCK }, 'listening on the HaRP unix socket');
      // FRP mode: HaRP reaches the socket through its FRP server and our frpc (§1 listening rule).
      if (env.HP_FRP_ADDRESS && env.HP_FRP_PORT) {
        const frpc = new FrpClient(
          {
            serverAddress: env.HP_FRP_ADDRESS,
            serverPort: env.HP_FRP_PORT,
            sharedKey: new Secret(env.HP_SHARED_KEY),
            appId: env.APP_ID,
            remotePort: env.APP_PORT,
            socketPath: env.HP_EXAPP_SOCK,
            certsDir: env.FRP_CERTS_DIR,
            allowWithoutCa: env.FRP_ALLOW_WITHOUT_CA,
          },
          { binary: env.FRPC_BINARY, logger },
        );
        onFrpc(frpc);
        await frpc.start();
      }
      return listening;
    },
    async close(stopWork) {
      const closing = server ? new Promise<void>((ok) => server!.close(() => ok())) : Promise.resolve();
      server?.closeIdleConnections();
      await stopWork();
      server?.closeAllConnections();
      await closing;
    },
  };
}
