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
      const { probeHeartbeat } = await import('@keycloak-exapp/http-koa/heartbeat-probe');
      const verdict = await probeHeartbeat(
        process.env.HP_SHARED_KEY
          ? { socketPath: process.env.HP_EXAPP_SOCK ?? '/tmp/exapp.sock' }
          : { port: Number(process.env.APP_PORT ?? '23000') },
      );
      // Docker keeps the output of the last checks (`docker inspect`): say why it fails.
      if (!verdict.healthy) process.stderr.write(`unhealthy: ${verdict.why}\n`);
      process.exitCode = verdict.healthy ? 0 : 1;
    });
}
