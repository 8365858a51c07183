import { request } from 'node:http';
import { Command } from 'commander';

/** `serve`: the ExApp server, what the Docker image runs (signals reach it directly). */
export function serveCommand(): Command {
  return new Command('serve')
    .description('run the ExApp server (AppAPI lifecycle, token and sync API)')
    .action(async () => {
      const { serve } = await import('@keycloak-exapp/http-koa/serve');
      await serve();
    });
}

/** `healthcheck`: exit 0 when /heartbeat answers ok (TCP, or HaRP's unix socket). */
export function healthcheckCommand(): Command {
  return new Command('healthcheck')
    .description("check the server's /heartbeat (for Docker's HEALTHCHECK)")
    .action(async () => {
      const socketPath = process.env.HP_SHARED_KEY
        ? (process.env.HP_EXAPP_SOCK ?? '/tmp/exapp.sock')
        : undefined;
      const ok = await new Promise<boolean>((resolve) => {
        const req = request(
          socketPath
            ? { socketPath, path: '/heartbeat', timeout: 5_000 }
            : {
                host: '127.0.0.1',
                port: Number(process.env.APP_PORT ?? '23000'),
                path: '/heartbeat',
                timeout: 5_000,
              },
          (res) => {
            let body = '';
            res.on('data', (c: Buffer) => (body += c.toString()));
            res.on('end', () => resolve(res.statusCode === 200 && body.includes('"status":"ok"')));
          },
        );
        req.on('timeout', () => req.destroy());
        req.on('error', () => resolve(false));
        req.end();
      });
      process.exitCode = ok ? 0 : 1;
    });
}
