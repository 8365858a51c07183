import { EnvError, loadEnv } from '@keycloak-exapp/composition';
import { buildServer } from './server.js';

/** `keycloak-exapp serve`: what the Docker image runs. */
export async function serve(): Promise<void> {
  const env = loadEnv();
  const server = await buildServer(env);
  await server.listen();
  void server.lifecycle.resume();
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    server.logger.info({ signal }, 'shutting down');
    server.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

if (import.meta.url === `file://${process.argv[1] ?? ''}`) {
  serve().catch((error: unknown) => {
    process.stderr.write(`keycloak-exapp: ${error instanceof Error ? error.message : String(error)}\n`);
    if (error instanceof EnvError) process.stdout.write(error.logLine());
    process.exit(error instanceof EnvError ? 2 : 1);
  });
}
