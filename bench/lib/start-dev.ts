// Keycloak's `start-dev` from a private copy of the distribution (start-dev re-augments the
// installation, which must not touch the shared optimized build), timed from spawn to ready.
import { spawn } from 'node:child_process';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, type InstalledKeycloak } from '@keycloak-exapp/adapter-keycloak';

export async function timeStartDev(installed: InstalledKeycloak): Promise<number> {
  const dir = await mkdtemp(join(tmpdir(), 'keycloak-start-dev-'));
  const home = join(dir, 'keycloak');
  await cp(installed.home, home, { recursive: true, verbatimSymlinks: true });
  await rm(join(home, 'data'), { recursive: true, force: true });
  const [httpPort, managementPort] = [await freePort(), await freePort()];
  const started = performance.now();
  const child = spawn(
    join(home, 'bin', 'kc.sh'),
    [
      'start-dev',
      `--http-port=${httpPort}`,
      `--http-management-port=${managementPort}`,
      '--health-enabled=true',
      '--http-host=127.0.0.1',
      '--cache=local',
    ],
    { env: { PATH: process.env.PATH, JAVA_HOME: installed.javaHome }, stdio: 'ignore', detached: true },
  );
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`start-dev exited with ${child.exitCode}`);
      const ready = await fetch(`http://127.0.0.1:${managementPort}/health/ready`)
        .then((r) => r.status === 200)
        .catch(() => false);
      if (ready) return (performance.now() - started) / 1000;
      if (performance.now() - started > 300_000) throw new Error('start-dev not ready after 300 s');
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    const exited = new Promise((r) => child.once('exit', r));
    if (child.exitCode === null) process.kill(-child.pid!, 'SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 30_000))]);
    if (child.exitCode === null) process.kill(-child.pid!, 'SIGKILL');
    await rm(dir, { recursive: true, force: true });
  }
}
