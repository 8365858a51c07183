import type { CallOptions } from '@keycloak-exapp/core';
import type { NextcloudHttp } from './nextcloud.http.js';

export interface TopMenuEntry {
  readonly name: string;
  readonly displayName: string;
  /** Path relative to the ExApp root (e.g. `img/app.svg`). */
  readonly icon?: string;
  readonly adminRequired: boolean;
}

/** Nextcloud's log levels (ILogger): 0 debug, 1 info, 2 warning, 3 error, 4 fatal. */
export type NextcloudLogLevel = 0 | 1 | 2 | 3 | 4;

/** AppAPI's own endpoints (§6.1, §8), called as the system (empty user part). */
export class AppApiClient {
  constructor(private readonly http: NextcloudHttp) {}

  /** Reports init progress; 100 makes AppAPI enable us synchronously, so it may take long. */
  async reportProgress(progress: number, opts: CallOptions = {}): Promise<void> {
    await this.http.ocs({
      method: 'PUT',
      path: 'apps/app_api/ex-app/status',
      json: { progress: Math.max(0, Math.min(100, Math.round(progress))) },
      user: '',
      signal: opts.signal,
      what: 'report init progress',
      timeoutMs: progress >= 100 ? 180_000 : 15_000,
    });
  }

  async reportError(error: string, opts: CallOptions = {}): Promise<void> {
    await this.http.ocs({
      method: 'PUT',
      path: 'apps/app_api/ex-app/status',
      json: { error: error.length > 0 ? error : 'initialization failed' },
      user: '',
      signal: opts.signal,
      what: 'report init error',
    });
  }

  /**
   * Writes a line to Nextcloud's log (§6.1, `POST /api/v1/log`) under this ExApp's name, where an
   * admin reads it in the Logging settings: level 0 debug, 1 info, 2 warning, 3 error, 4 fatal.
   */
  async log(level: NextcloudLogLevel, message: string, opts: CallOptions = {}): Promise<void> {
    await this.http.ocs({
      method: 'POST',
      path: 'apps/app_api/api/v1/log',
      json: { level, message },
      user: '',
      signal: opts.signal,
      what: "write to Nextcloud's log",
    });
  }

  async registerTopMenu(entry: TopMenuEntry, opts: CallOptions = {}): Promise<void> {
    await this.http.ocs({
      method: 'POST',
      path: 'apps/app_api/api/v1/ui/top-menu',
      json: {
        name: entry.name,
        displayName: entry.displayName,
        icon: entry.icon ?? '',
        adminRequired: entry.adminRequired ? 1 : 0,
      },
      user: '',
      signal: opts.signal,
      what: 'register top menu',
    });
  }

  /** Registers the loader script of a top-menu entry; `path` without `.js` (§8). */
  async registerTopMenuScript(name: string, path: string, opts: CallOptions = {}): Promise<void> {
    await this.http.ocs({
      method: 'POST',
      path: 'apps/app_api/api/v1/ui/script',
      json: { type: 'top_menu', name, path: path.replace(/\.js$/, '') },
      user: '',
      signal: opts.signal,
      what: 'register top menu script',
    });
  }

  /** Removes the entry (AppAPI deletes its scripts with it); absent is fine. */
  async unregisterTopMenu(name: string, opts: CallOptions = {}): Promise<void> {
    try {
      await this.http.ocs({
        method: 'DELETE',
        path: 'apps/app_api/api/v1/ui/top-menu',
        searchParams: { name },
        user: '',
        signal: opts.signal,
        what: 'remove top menu',
      });
    } catch (error) {
      if ((error as { code?: string }).code !== 'NOT_FOUND') throw error;
    }
  }
}
