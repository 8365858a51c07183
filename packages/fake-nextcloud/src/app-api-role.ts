import type { NextcloudState } from './nextcloud-state.js';
import { callExApp, readAll } from './exapp-request.js';

export type { ExAppTarget } from './exapp-request.js';

export interface ExAppAnswer {
  readonly status: number;
  readonly body: string;
  readonly json: unknown;
}

/**
 * The fake playing AppAPI towards the ExApp (§3, §4): heartbeat, init, enabled, signed with the
 * ExApp's secret and an empty user part, and the enable sequence that progress 100 triggers.
 */
export class AppApiRole {
  readonly enabledCalls: { readonly enabled: boolean; readonly error: string }[] = [];
  #pendingEnable: Promise<void> | undefined;

  constructor(private readonly nc: NextcloudState) {}

  systemHeaders(): Record<string, string> {
    const app = this.nc.exApp;
    return {
      'authorization-app-api': Buffer.from(`:${app.secret}`).toString('base64'),
      'ex-app-id': app.appId,
      'ex-app-version': app.version,
      'aa-version': '32.0.0',
      'aa-request-id': 'CLI',
      accept: 'application/json',
      'content-type': 'application/json',
    };
  }

  async #call(method: string, path: string, signed: boolean, timeoutMs: number): Promise<ExAppAnswer> {
    const target = this.nc.exApp.target;
    if (!target) throw new Error('no ExApp target registered with the fake Nextcloud');
    const res = await callExApp(target, {
      method,
      path,
      headers: signed
        ? this.systemHeaders()
        : { accept: 'application/json', 'content-type': 'application/json' },
      timeoutMs,
    });
    const body = (await readAll(res)).toString('utf8');
    let json: unknown;
    try {
      json = JSON.parse(body);
    } catch {
      json = undefined;
    }
    return { status: res.statusCode ?? 0, body, json };
  }

  /** AppAPI sends no auth headers with the heartbeat on non-HaRP daemons (§3.1). */
  heartbeat(): Promise<ExAppAnswer> {
    return this.#call('GET', '/heartbeat', false, 30_000);
  }

  init(): Promise<ExAppAnswer> {
    this.nc.initStatus.progress = 0;
    this.nc.initStatus.error = '';
    this.nc.exApp.enabled = true;
    return this.#call('POST', '/init', true, 30_000);
  }

  async enabled(enabled: boolean): Promise<ExAppAnswer> {
    if (enabled) this.nc.exApp.enabled = true;
    const answer = await this.#call('PUT', `/enabled?enabled=${enabled ? 1 : 0}`, true, 60_000);
    const error = (answer.json as { error?: unknown } | undefined)?.error;
    this.enabledCalls.push({ enabled, error: typeof error === 'string' ? error : '' });
    if (!enabled) this.nc.exApp.enabled = false;
    else if (typeof error === 'string' && error.length > 0) this.nc.exApp.enabled = false;
    return answer;
  }

  /** Called when the ExApp reports 100: heartbeat, then `PUT /enabled?enabled=1` (§3.3, §6.1). */
  scheduleEnableAfterInit(): Promise<void> {
    this.#pendingEnable = (async () => {
      const beat = await this.heartbeat();
      if (beat.status !== 200) throw new Error(`heartbeat failed with ${beat.status}`);
      await this.enabled(true);
    })();
    return this.#pendingEnable;
  }

  /** The whole install sequence: heartbeat → init → wait for 100 (and the enable) or an error. */
  async install(opts: { timeoutMs?: number } = {}): Promise<{ progress: number[]; error: string }> {
    const deadline = Date.now() + (opts.timeoutMs ?? 600_000);
    for (;;) {
      const beat = await this.heartbeat().catch(() => undefined);
      if (beat?.status === 200 && (beat.json as { status?: string } | undefined)?.status === 'ok') break;
      if (Date.now() > deadline) throw new Error('heartbeat never succeeded');
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    const init = await this.init();
    if (init.status === 404 || init.status === 501) this.nc.initStatus.progress = 100;
    else if (init.status >= 300) throw new Error(`/init answered ${init.status}`);
    while (this.nc.initStatus.progress < 100 && this.nc.initStatus.error === '') {
      if (Date.now() > deadline) throw new Error(`init stalled at ${this.nc.initStatus.progress}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    if (this.#pendingEnable) await this.#pendingEnable;
    const progress = this.nc.calls
      .filter(
        (c) =>
          c.path === '/apps/app_api/ex-app/status' &&
          typeof (c.body as { progress?: unknown } | undefined)?.progress === 'number',
      )
      .map((c) => (c.body as { progress: number }).progress);
    return { progress, error: this.nc.initStatus.error };
  }
}
