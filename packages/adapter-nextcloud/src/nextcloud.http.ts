import got, { HTTPError, RequestError, type Got, type Method } from 'got';
import {
  AppError,
  CancelledError,
  UpstreamError,
  UpstreamTimeoutError,
  UpstreamUnavailableError,
} from '@keycloak-exapp/core';
import type { Secret } from '@keycloak-exapp/core';
import { appApiHeaders, type AppApiIdentity } from './app-api.js';
import { unwrapOcs } from './ocs.js';

export interface NextcloudConnection extends AppApiIdentity {
  /** NEXTCLOUD_URL as AppAPI hands it; a trailing `/index.php` is removed (§5). */
  readonly url: string;
  readonly requestTimeoutMs?: number;
  /**
   * For one-off runs outside AppAPI (the CLI with `--nextcloud-url`): a Nextcloud admin and an app
   * password, sent as HTTP Basic instead of the AppAPI headers.
   */
  readonly basicAuth?: { readonly user: string; readonly password: Secret } | undefined;
}

export function nextcloudBaseUrl(url: string): string {
  return url
    .replace(/\/+$/, '')
    .replace(/\/index\.php$/, '')
    .replace(/\/+$/, '');
}

export interface OcsRequest {
  readonly method: Method;
  /** Path after `/ocs/v2.php/`, e.g. `cloud/users/details`. Already encoded. */
  readonly path: string;
  readonly searchParams?: Record<string, string | number>;
  readonly json?: unknown;
  /** The Nextcloud user to act as; '' = system call. */
  readonly user: string;
  readonly signal?: AbortSignal | undefined;
  readonly what: string;
  readonly timeoutMs?: number;
}

/** The one HTTP client towards Nextcloud's OCS API, AppAPI-signed, with timeouts everywhere. */
export class NextcloudHttp {
  readonly #got: Got;

  constructor(private readonly connection: NextcloudConnection) {
    this.#got = got.extend({
      prefixUrl: `${nextcloudBaseUrl(connection.url)}/ocs/v2.php`,
      timeout: { request: connection.requestTimeoutMs ?? 15_000 },
      retry: {
        limit: 2,
        methods: ['GET'],
        calculateDelay: ({ computedValue }) => Math.min(computedValue, 500),
      },
      throwHttpErrors: false,
      followRedirect: false,
      responseType: 'text',
    });
  }

  async ocs(req: OcsRequest): Promise<unknown> {
    try {
      const res = await this.#got(req.path, {
        method: req.method,
        headers: {
          ...(this.connection.basicAuth
            ? {
                authorization: `Basic ${Buffer.from(`${this.connection.basicAuth.user}:${this.connection.basicAuth.password.reveal()}`).toString('base64')}`,
              }
            : appApiHeaders(this.connection, req.user)),
          'ocs-apirequest': 'true',
          accept: 'application/json',
          'user-agent': `ExApp/${this.connection.appId}/${this.connection.appVersion}`,
        },
        searchParams: { ...req.searchParams, format: 'json' },
        ...(req.json !== undefined ? { json: req.json } : {}),
        ...(req.signal ? { signal: req.signal } : {}),
        ...(req.timeoutMs ? { timeout: { request: req.timeoutMs } } : {}),
      });
      return unwrapOcs({ statusCode: res.statusCode, body: res.body }, req.what, req.user);
    } catch (error) {
      throw translate(error, req.what);
    }
  }
}

function translate(error: unknown, what: string): AppError {
  if (error instanceof AppError) return error;
  if (error instanceof HTTPError)
    return new UpstreamError(`${what}: Nextcloud answered ${error.response.statusCode}`, { cause: error });
  if (error instanceof RequestError) {
    if (error.code === 'ETIMEDOUT')
      return new UpstreamTimeoutError(`${what}: Nextcloud did not answer in time`, { cause: error });
    if (error.code === 'ERR_ABORTED' || error.name === 'AbortError')
      return new CancelledError(`${what}: cancelled`, { cause: error });
    return new UpstreamUnavailableError(`${what}: Nextcloud is unreachable (${error.code})`, {
      cause: error,
    });
  }
  if (error instanceof Error && error.name === 'AbortError')
    return new CancelledError(`${what}: cancelled`, { cause: error });
  return new UpstreamError(`${what}: unexpected failure`, { cause: error });
}
