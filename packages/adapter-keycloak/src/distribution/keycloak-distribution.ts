import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import {
  cp,
  lstat,
  mkdir,
  readFile,
  readlink,
  rename,
  rm,
  symlink,
  unlink,
  writeFile,
} from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ConfigurationError, UpstreamError, noopLogger, type Logger } from '@keycloak-exapp/core';

const run = promisify(execFile);

/** The newest 26.x Maven Central serves here; `KEYCLOAK_VERSION` selects another. */
export const DEFAULT_KEYCLOAK_VERSION = '26.7.3';

export type KeycloakDatabase = 'dev-file' | 'postgres';

/** Build-time options: each distinct set gets its own built copy. */
export interface KeycloakBuildOptions {
  readonly db: KeycloakDatabase;
  readonly features?: readonly string[];
}

export interface InstalledKeycloak {
  readonly version: string;
  readonly home: string;
  readonly javaHome: string;
  readonly build: KeycloakBuildOptions;
}

export interface InstallKeycloakOptions {
  readonly version: string;
  readonly build: KeycloakBuildOptions;
  readonly javaHome: string;
  /** Git-ignored cache folder (`.keycloak` in the repo, or on the persistent volume). */
  readonly cacheDir: string;
  readonly logger?: Logger;
  readonly mavenRepository?: string;
}

function buildArgs(build: KeycloakBuildOptions): string[] {
  const args = [`--db=${build.db}`, '--health-enabled=true', '--metrics-enabled=true'];
  if (build.features && build.features.length > 0)
    args.push(`--features=${[...build.features].sort().join(',')}`);
  return args;
}

/**
 * The folder name of a build: the database, then the features. Only letters, digits, `.`, `_` and
 * `-`: Keycloak 26.5's launcher reads a `+` in its path as a space, and `:` separates class paths.
 */
function buildKey(build: KeycloakBuildOptions): string {
  return [build.db, ...[...(build.features ?? [])].sort()].join('__').replace(/[^A-Za-z0-9._-]/g, '_');
}

async function sha1Of(path: string): Promise<string> {
  const hash = createHash('sha1');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * Fetches `org.keycloak:keycloak-quarkus-dist:<version>:tar.gz` with Maven (strict checksums),
 * checks the copy against Maven Central's SHA-1, unpacks it and runs `kc.sh build` once per
 * build configuration. Every step is skipped when its result is already there.
 */
export async function installKeycloak(opts: InstallKeycloakOptions): Promise<InstalledKeycloak> {
  const logger = opts.logger ?? noopLogger;
  const { version, build, javaHome, cacheDir } = opts;
  if (!/^\d+\.\d+\.\d+$/.test(version))
    throw new ConfigurationError(`KEYCLOAK_VERSION "${version}" is not a version like 26.7.3`);
  const target = join(cacheDir, 'dist', version, buildKey(build));
  const home = join(target, `keycloak-${version}`);
  const marker = join(target, 'build.json');
  const wanted = JSON.stringify({ version, args: buildArgs(build), javaHome });
  if (existsSync(marker) && (await readFile(marker, 'utf8')) === wanted)
    return { version, home, javaHome, build };

  const archive = await fetchArchive(version, cacheDir, opts.mavenRepository, logger);
  const staging = `${target}.staging`;
  await rm(staging, { recursive: true, force: true });
  await mkdir(staging, { recursive: true });
  logger.info({ version, build: buildKey(build) }, 'unpacking Keycloak');
  await run('tar', ['-xzf', archive, '-C', staging]);
  logger.info({ version, args: buildArgs(build) }, 'building Keycloak (kc.sh build, once per configuration)');
  try {
    await run(join(staging, `keycloak-${version}`, 'bin', 'kc.sh'), ['build', ...buildArgs(build)], {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', JAVA_HOME: javaHome, HOME: homedir() },
      maxBuffer: 64 * 1024 * 1024,
    });
  } catch (error) {
    const stdout = (error as { stdout?: string }).stdout ?? '';
    throw new UpstreamError(`kc.sh build failed: ${stdout.split('\n').slice(-5).join(' ')}`, {
      cause: error,
    });
  }
  await writeFile(join(staging, 'build.json'), wanted);
  await rm(target, { recursive: true, force: true });
  await rename(staging, target);
  return { version, home, javaHome, build };
}

async function fetchArchive(
  version: string,
  cacheDir: string,
  mavenRepository: string | undefined,
  logger: Logger,
): Promise<string> {
  const downloads = join(cacheDir, 'downloads');
  const name = `keycloak-quarkus-dist-${version}.tar.gz`;
  const archive = join(downloads, name);
  const verified = `${archive}.verified`;
  if (existsSync(archive) && existsSync(verified)) return archive;

  await mkdir(downloads, { recursive: true });
  logger.info({ version }, 'fetching the Keycloak distribution from Maven Central');
  try {
    await run(
      'mvn',
      [
        '-q',
        '-B',
        '-C',
        'dependency:copy',
        `-Dartifact=org.keycloak:keycloak-quarkus-dist:${version}:tar.gz`,
        `-DoutputDirectory=${downloads}`,
      ],
      { maxBuffer: 16 * 1024 * 1024 },
    );
  } catch (error) {
    const out = `${(error as { stdout?: string }).stdout ?? ''}${(error as { stderr?: string }).stderr ?? ''}`;
    throw new UpstreamError(
      `mvn could not fetch keycloak-quarkus-dist ${version}: ${out.split('\n').filter(Boolean).slice(-3).join(' ')}`,
      {
        cause: error,
      },
    );
  }
  const repo = mavenRepository ?? join(homedir(), '.m2', 'repository');
  const sha1File = join(repo, 'org', 'keycloak', 'keycloak-quarkus-dist', version, `${name}.sha1`);
  if (!existsSync(sha1File))
    throw new UpstreamError(`no SHA-1 from Maven Central for ${name} at ${sha1File}`);
  const expected = (await readFile(sha1File, 'utf8')).trim().split(/\s+/)[0]?.toLowerCase();
  const actual = await sha1Of(archive);
  if (expected !== actual) {
    await rm(archive, { force: true });
    throw new UpstreamError(`${name}: SHA-1 ${actual} does not match Maven Central's ${String(expected)}`);
  }
  await writeFile(verified, `${actual}\n`);
  return archive;
}

/**
 * A home of its own for one running instance: `bin/kc.sh` and `conf/` copied, `lib/`, `providers/`
 * and `themes/` linked to the built distribution, `data/` (transaction logs, H2 files) private.
 * kc.sh derives the home from its own path, so several instances share one build safely.
 */
export async function createInstanceHome(distributionHome: string, instanceDir: string): Promise<string> {
  await mkdir(join(instanceDir, 'bin'), { recursive: true });
  await mkdir(join(instanceDir, 'data'), { recursive: true });
  await cp(join(distributionHome, 'bin', 'kc.sh'), join(instanceDir, 'bin', 'kc.sh'));
  await cp(join(distributionHome, 'conf'), join(instanceDir, 'conf'), { recursive: true, force: true });
  await cp(join(distributionHome, 'version.txt'), join(instanceDir, 'version.txt'));
  // The links follow the distribution: after an upgrade (another KEYCLOAK_VERSION, another image)
  // they must point at the new jars, not the old ones (or at nothing).
  for (const name of ['lib', 'providers', 'themes']) {
    const link = join(instanceDir, name);
    const target = join(distributionHome, name);
    const existing = await lstat(link).catch(() => undefined);
    if (existing && !existing.isSymbolicLink()) continue; // a folder of the admin's own: leave it
    if (existing && (await readlink(link)) === target) continue;
    if (existing) await unlink(link);
    await symlink(target, link);
  }
  return instanceDir;
}
