// Two Keycloak nodes on one PostgreSQL database, started by the project's own supervisor: the
// production cache stack (Infinispan, JGroups discovery through the database), distinct HTTP,
// management and JGroups ports, everything bound to loopback. Used by the cluster tests and the
// cluster benchmark; Debian's HAProxy goes in front (see haproxy.ts).
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Secret, noopLogger, type Logger } from '@keycloak-exapp/core';
import {
  DEFAULT_KEYCLOAK_VERSION,
  createLocalKeycloak,
  findJavaHome,
  installKeycloak,
  type KeycloakProcessSupervisor,
} from '@keycloak-exapp/adapter-keycloak';
import { REPO_ROOT, pgHost, pgPassword, pgPort, pgUser, psql } from './keycloak-test-server.js';

/** A port free on loopback whose JGroups failure-detection twin (port + 50 000) is free too. */
async function jgroupsPort(taken: Set<number>): Promise<number> {
  const isFree = (port: number) =>
    new Promise<boolean>((resolve) => {
      const server = createServer();
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
    });
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = 7800 + Math.floor(Math.random() * 7000);
    if (taken.has(port) || taken.has(port + 1)) continue;
    if ((await isFree(port)) && (await isFree(port + 50_000))) return port;
  }
  throw new Error('no free JGroups port pair below 15 535');
}

export interface ClusterNode {
  readonly name: string;
  readonly supervisor: KeycloakProcessSupervisor;
  /** The cluster size this node reports now (0 when it is down). */
  readonly viewSize: () => Promise<number>;
  /** SIGKILL to the node's process group: a crash, not a shutdown (the supervisor restarts it). */
  kill(): void;
}

export interface KeycloakCluster {
  readonly nodes: readonly [ClusterNode, ClusterNode];
  readonly admin: { readonly clientId: string; readonly clientSecret: string };
  readonly adminUser: { readonly username: string; readonly password: string };
  readonly database: string;
  /** Resolves once every running node reports a cluster view of `size`. */
  waitForView(size: number, timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export interface ClusterOptions {
  /** KC_HOSTNAME of both nodes: the public base URL behind the load balancer. */
  readonly hostname: string;
  /** Delay before the supervisor restarts a crashed node. */
  readonly restartDelayMs?: number;
  readonly logger?: Logger;
}

/** The cluster size a node reports on its management port (`vendor_cluster_size`); 0 when down. */
export async function clusterSize(supervisor: KeycloakProcessSupervisor): Promise<number> {
  try {
    const res = await fetch(`${supervisor.managementUrl}/metrics`, { signal: AbortSignal.timeout(2_000) });
    const match = /^vendor_cluster_size\{[^}]*\} ([\d.]+)$/m.exec(await res.text());
    return match ? Number(match[1]) : 0;
  } catch {
    return 0;
  }
}

export async function startKeycloakCluster(opts: ClusterOptions): Promise<KeycloakCluster> {
  const version = process.env.KEYCLOAK_VERSION ?? DEFAULT_KEYCLOAK_VERSION;
  const javaHome = findJavaHome(version, {
    explicit: process.env.KEYCLOAK_JAVA_HOME,
    javaHome: process.env.JAVA_HOME,
  });
  const installed = await installKeycloak({
    version,
    build: { db: 'postgres' },
    javaHome,
    cacheDir: join(REPO_ROOT, '.keycloak'),
  });
  const database = `kc_cluster_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  psql(`CREATE DATABASE ${database}`);
  const admin = { clientId: 'cluster-test-admin', clientSecret: randomBytes(24).toString('hex') };
  const adminUser = { username: 'cluster-admin', password: `Pw-${randomBytes(12).toString('hex')}` };
  const dirs: string[] = [];
  const taken = new Set<number>();
  const nodes: ClusterNode[] = [];
  const parent = opts.logger ?? noopLogger;
  try {
    for (const name of ['node-a', 'node-b']) {
      const dir = await mkdtemp(join(tmpdir(), `keycloak-exapp-${name}-`));
      dirs.push(dir);
      const bindPort = await jgroupsPort(taken);
      taken.add(bindPort);
      const supervisor = await createLocalKeycloak({
        installed,
        instanceDir: dir,
        database: {
          kind: 'postgres',
          url: `jdbc:postgresql://${pgHost}:${pgPort}/${database}`,
          username: pgUser,
          password: new Secret(pgPassword),
        },
        admin: { clientId: admin.clientId, clientSecret: new Secret(admin.clientSecret) },
        adminUser: { username: adminUser.username, password: new Secret(adminUser.password) },
        hostname: opts.hostname,
        env: {
          // The production cache stack: Infinispan, JGroups discovery through the database (jdbc-ping).
          KC_CACHE: 'ispn',
          KC_CACHE_EMBEDDED_NETWORK_BIND_ADDRESS: '127.0.0.1',
          KC_CACHE_EMBEDDED_NETWORK_BIND_PORT: String(bindPort),
          JAVA_OPTS_APPEND: process.env.KEYCLOAK_TEST_JAVA_OPTS ?? '-XX:TieredStopAtLevel=1',
        },
        logger: parent.child({ node: name }),
        graceMs: 20_000,
        restart: { baseDelayMs: opts.restartDelayMs ?? 1_000, maxCrashes: 20 },
      });
      nodes.push({
        name,
        supervisor,
        viewSize: () => clusterSize(supervisor),
        kill() {
          const pid = supervisor.status().pid;
          if (pid) process.kill(-pid, 'SIGKILL');
        },
      });
      // One at a time: the first node creates the schema, the second joins it.
      await supervisor.start();
    }
  } catch (error) {
    await Promise.allSettled(nodes.map((n) => n.supervisor.stop({ graceMs: 5_000 })));
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
    psql(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    throw error;
  }
  const cluster: KeycloakCluster = {
    nodes: [nodes[0]!, nodes[1]!],
    admin,
    adminUser,
    database,
    async waitForView(size, timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const running = nodes.filter((n) => n.supervisor.status().state === 'ready');
        const sizes = await Promise.all(running.map((n) => n.viewSize()));
        if (running.length >= size && sizes.every((s) => s === size)) return;
        if (Date.now() > deadline)
          throw new Error(
            `cluster view never reached ${size}: ${running.map((n, i) => `${n.name}=${sizes[i]}`).join(', ')}`,
          );
        await new Promise((r) => setTimeout(r, 250));
      }
    },
    async stop() {
      await Promise.allSettled(nodes.map((n) => n.supervisor.stop({ graceMs: 20_000 })));
      for (const dir of dirs) await rm(dir, { recursive: true, force: true });
      psql(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    },
  };
  return cluster;
}
