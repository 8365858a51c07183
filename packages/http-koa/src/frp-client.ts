import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { noopLogger, type Logger, type Secret } from '@keycloak-exapp/core';

/** What HaRP hands an ExApp in FRP mode (§1): where its FRP server is, and the shared key. */
export interface FrpSettings {
  readonly serverAddress: string;
  readonly serverPort: number;
  readonly sharedKey: Secret;
  /** The proxy's name on the FRP server: the ExApp id. */
  readonly appId: string;
  /** The port HaRP reaches this ExApp at on the FRP server: APP_PORT. */
  readonly remotePort: number;
  /** The unix socket the server listens on. */
  readonly socketPath: string;
  /** Client certificate, key and CA for TLS to HaRP (`client.crt`, `client.key`, `ca.crt`), if present. */
  readonly certsDir?: string | undefined;
  /**
   * Start the tunnel without HaRP's CA (`FRP_ALLOW_WITHOUT_CA`): TLS that verifies nobody, so the
   * shared key goes to whoever answers at the FRP address. Off by default: no CA, no tunnel.
   */
  readonly allowWithoutCa?: boolean;
}

const toml = (value: string) => JSON.stringify(value); // a TOML basic string escapes like JSON

/**
 * frpc's configuration exactly as HaRP expects it (HaRP's `exapps_dev/start.sh`): the shared key
 * as `metadatas.token` (HaRP's FRP server checks it), TLS from `certsDir` when it exists, and one
 * `tcp` proxy named after the ExApp whose remote port is APP_PORT, served by the
 * `unix_domain_socket` plugin from the server's socket.
 */
export function frpcConfig(settings: FrpSettings, withTls: boolean): string {
  const lines = [
    `serverAddr = ${toml(settings.serverAddress)}`,
    `serverPort = ${settings.serverPort}`,
    `loginFailExit = false`,
    `metadatas.token = ${toml(settings.sharedKey.reveal())}`,
  ];
  if (withTls && settings.certsDir) {
    lines.push(
      `transport.tls.certFile = ${toml(join(settings.certsDir, 'client.crt'))}`,
      `transport.tls.keyFile = ${toml(join(settings.certsDir, 'client.key'))}`,
      `transport.tls.trustedCaFile = ${toml(join(settings.certsDir, 'ca.crt'))}`,
      `transport.tls.serverName = "harp.nc"`,
    );
  }
  lines.push(
    '',
    '[[proxies]]',
    `name = ${toml(settings.appId)}`,
    'type = "tcp"',
    `remotePort = ${settings.remotePort}`,
    '[proxies.plugin]',
    'type = "unix_domain_socket"',
    `unixPath = ${toml(settings.socketPath)}`,
    '',
  );
  return lines.join('\n');
}

/** `refused`: not started, because HaRP's CA is missing and starting without it was not allowed. */
export type FrpClientState = 'stopped' | 'starting' | 'connected' | 'restarting' | 'refused';

export interface FrpClientOptions {
  /** The frpc binary (on PATH in the image). */
  readonly binary?: string;
  readonly logger?: Logger;
  readonly restartDelayMs?: number;
  readonly maxRestartDelayMs?: number;
}

/**
 * Runs HaRP's FRP client next to the server and keeps it running: its config (which holds the
 * shared key) in a private folder, its log lines forwarded, and a restart with backoff whenever it
 * exits. `state` is `connected` once frpc reports its proxy started; `/heartbeat` shows it.
 */
export class FrpClient {
  #state: FrpClientState = 'stopped';
  #child: ChildProcess | undefined;
  #dir: string | undefined;
  #restartTimer: NodeJS.Timeout | undefined;
  #delay: number;
  #restarts = 0;
  #reason: string | undefined;
  readonly #logger: Logger;

  constructor(
    private readonly settings: FrpSettings,
    private readonly options: FrpClientOptions = {},
  ) {
    this.#logger = (options.logger ?? noopLogger).child({ component: 'frpc' });
    this.#delay = options.restartDelayMs ?? 1_000;
  }

  get state(): FrpClientState {
    return this.#state;
  }

  /** Why the tunnel is not up when `state` is `refused`. */
  get reason(): string | undefined {
    return this.#reason;
  }

  get restarts(): number {
    return this.#restarts;
  }

  get pid(): number | undefined {
    return this.#child?.pid;
  }

  async start(): Promise<void> {
    if (this.#state !== 'stopped') return;
    const ca = this.settings.certsDir !== undefined ? join(this.settings.certsDir, 'ca.crt') : undefined;
    const withTls = ca !== undefined && existsSync(ca);
    if (!withTls && !this.settings.allowWithoutCa) {
      this.#state = 'refused';
      this.#reason = `HaRP's CA ${ca ?? '(no FRP_CERTS_DIR)'} is missing: the tunnel would send HP_SHARED_KEY to an unverified server (set FRP_ALLOW_WITHOUT_CA=true to start it anyway)`;
      this.#logger.error({ ca }, `frpc not started: ${this.#reason}`);
      return;
    }
    if (!withTls)
      this.#logger.warn(
        { ca },
        "frpc starts without HaRP's CA (FRP_ALLOW_WITHOUT_CA): the FRP server is not verified",
      );
    this.#dir = await mkdtemp(join(tmpdir(), 'keycloak-exapp-frpc-'));
    await writeFile(join(this.#dir, 'frpc.toml'), frpcConfig(this.settings, withTls), { mode: 0o600 });
    this.#state = 'starting';
    this.#logger.info(
      {
        server: `${this.settings.serverAddress}:${this.settings.serverPort}`,
        remotePort: this.settings.remotePort,
        tls: withTls,
      },
      'starting frpc (HaRP FRP mode)',
    );
    this.#spawn();
  }

  #spawn(): void {
    const child = spawn(this.options.binary ?? 'frpc', ['-c', join(this.#dir!, 'frpc.toml')], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.#child = child;
    for (const stream of [child.stdout, child.stderr]) {
      createInterface({ input: stream }).on('line', (line) => {
        if (/start proxy success/i.test(line)) {
          this.#state = 'connected';
          this.#delay = this.options.restartDelayMs ?? 1_000;
        }
        this.#logger.debug({ line }, 'frpc');
      });
    }
    child.on('error', (error) => this.#logger.error({ err: error.message }, 'frpc could not be started'));
    child.on('exit', (code, signal) => {
      if (this.#child !== child) return;
      this.#child = undefined;
      if (this.#state === 'stopped') return;
      this.#state = 'restarting';
      this.#restarts++;
      this.#logger.warn({ code, signal, inMs: this.#delay }, 'frpc exited; restarting');
      this.#restartTimer = setTimeout(() => {
        this.#restartTimer = undefined;
        if (this.#state === 'restarting') this.#spawn();
      }, this.#delay);
      this.#delay = Math.min(this.#delay * 2, this.options.maxRestartDelayMs ?? 30_000);
    });
  }

  async stop(): Promise<void> {
    this.#state = 'stopped';
    if (this.#restartTimer) clearTimeout(this.#restartTimer);
    const child = this.#child;
    this.#child = undefined;
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    }
    if (this.#dir) await rm(this.#dir, { recursive: true, force: true });
    this.#dir = undefined;
  }
}
