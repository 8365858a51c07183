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
      const verdict = await new Promise<{ ok: boolean; why: string }>((resolve) => {
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
            res.on('end', () =>
              resolve({
                ok: res.statusCode === 200 && body.includes('"status":"ok"'),
                why: `/heartbeat answered ${res.statusCode ?? '?'}: ${body.slice(0, 500)}`,
              }),
            );
          },
        );
        req.on('timeout', () => req.destroy(new Error('no answer within 5 s')));
        req.on('error', (error) =>
          resolve({ ok: false, why: `/heartbeat cannot be reached: ${error.message}` }),
        );
        req.end();
      });
      // Docker keeps the output of the last checks (`docker inspect`): say why it fails.
      if (!verdict.ok) process.stderr.write(`unhealthy: ${verdict.why}\n`);
      process.exitCode = verdict.ok ? 0 : 1;
    });
}
