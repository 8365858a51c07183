// Debian's HAProxy in front of Keycloak nodes, for the cluster tests and benchmark: round robin for
// the back channel, sticky on AUTH_SESSION_ID for browser flows, health checks on each node's
// management port, and a retry on another node when a connection fails.
//
// Nodes are routed to by readiness (`/health/ready`). When no node is ready, the live ones
// (`/health/live`) take the traffic: after the JGroups coordinator of a two-node jdbc-ping cluster
// dies, Keycloak 26.7's cluster health check keeps the survivor "not ready" until the dead node is
// back (its row stays in JGROUPS_PING; keycloak/keycloak#46298), and a balancer that trusts
// readiness alone would then have no node at all.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@keycloak-exapp/adapter-keycloak';

export interface LoadBalancerBackend {
  readonly name: string;
  /** Keycloak's HTTP port and its management port (health checks). */
  readonly httpPort: number;
  readonly managementPort: number;
}

export interface LoadBalancer {
  readonly url: string;
  /** How often a node's readiness is checked; it is out after 2 failures and back after 2 passes. */
  readonly checkIntervalMs: number;
  stop(): Promise<void>;
}

export function haproxyConfig(
  port: number,
  backends: readonly LoadBalancerBackend[],
  checkIntervalMs: number,
): string {
  const backend = (name: string, health: string) => [
    `backend ${name}`,
    '  balance roundrobin',
    // Browser flows stay on the node that holds their authentication session.
    '  cookie AUTH_SESSION_ID prefix nocache',
    `  option httpchk GET ${health}`,
    '  http-check expect status 200',
    `  default-server inter ${checkIntervalMs}ms fall 2 rise 2`,
    ...backends.map(
      (b) => `  server ${b.name} 127.0.0.1:${b.httpPort} check port ${b.managementPort} cookie ${b.name}`,
    ),
  ];
  return [
    'global',
    '  maxconn 4096',
    'defaults',
    '  mode http',
    '  timeout connect 2s',
    '  timeout client 60s',
    '  timeout server 60s',
    '  timeout check 2s',
    '  option redispatch',
    '  retries 3',
    // A request that never reached a node (or got nothing back from a dying one) goes to another.
    '  retry-on conn-failure empty-response response-timeout',
    'frontend keycloak',
    `  bind 127.0.0.1:${port}`,
    '  use_backend keycloak_live if { nbsrv(keycloak_ready) lt 1 }',
    '  default_backend keycloak_ready',
    ...backend('keycloak_ready', '/health/ready'),
    ...backend('keycloak_live', '/health/live'),
    '',
  ].join('\n');
}

/** Starts `haproxy` in the foreground on a free loopback port; resolves once it accepts connections. */
export async function startHaproxy(
  backends: readonly LoadBalancerBackend[],
  opts: { checkIntervalMs?: number } = {},
): Promise<LoadBalancer> {
  const checkIntervalMs = opts.checkIntervalMs ?? 1_000;
  const port = await freePort();
  const dir = await mkdtemp(join(tmpdir(), 'keycloak-exapp-haproxy-'));
  const config = join(dir, 'haproxy.cfg');
  await writeFile(config, haproxyConfig(port, backends, checkIntervalMs));
  let output = '';
  const child: ChildProcess = spawn('haproxy', ['-db', '-f', config], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (output += c.toString()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`haproxy exited: ${output}`);
    const up = await fetch(`${url}/realms/master`).then(
      (r) => r.status === 200,
      () => false,
    );
    if (up) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`haproxy did not answer on ${url}: ${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    checkIntervalMs,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}
