import got, { type Got, type Method } from 'got';
import type { z } from 'zod';
import {
  AppError,
  SingleFlight,
  UpstreamError,
  UpstreamUnauthorizedError,
  systemClock,
  type Clock,
  type Secret,
} from '@keycloak-exapp/core';
import { tokenResponseSchema } from './keycloak.dto.js';
import { translateKeycloakError } from './keycloak.errors.js';

export type KeycloakAdminCredentials =
  | {
      readonly kind: 'client';
      readonly clientId: string;
      readonly clientSecret: Secret;
      /** The realm the client lives in (its token endpoint); default `master`. */
      readonly realm?: string;
    }
  | { readonly kind: 'password'; readonly username: string; readonly password: Secret };

export interface KeycloakConnection {
  /** Where the ExApp reaches Keycloak directly (not through Nextcloud), e.g. http://127.0.0.1:8080. */
  readonly baseUrl: string;
  readonly admin: KeycloakAdminCredentials;
  readonly requestTimeoutMs?: number;
  readonly clock?: Clock;
}

export interface RequestOptions {
  readonly searchParams?: Record<string, string | number | boolean>;
  readonly json?: unknown;
  readonly form?: Record<string, string>;
  readonly signal?: AbortSignal | undefined;
  /** Words for error messages: what we were doing. */
  readonly what: string;
  /** Overrides the connection's timeout for heavy calls (creating a realm takes seconds). */
  readonly timeoutMs?: number;
}

export interface RawResponse {
  readonly statusCode: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

/**
 * The one HTTP client towards one Keycloak server: timeouts on every call, got's retry for
 * idempotent methods only (never POST), an admin token cached and renewed at 80 % of its life and
 * once more on a 401. Every failure leaves as a core error.
 */
export class KeycloakHttp {
  readonly #got: Got;
  readonly #clock: Clock;
  #adminToken: { value: string; renewAt: number } | undefined;
  readonly #adminTokenFlight = new SingleFlight<string>();
  #admin: KeycloakAdminCredentials;

  constructor(private readonly connection: KeycloakConnection) {
    this.#clock = connection.clock ?? systemClock;
    this.#admin = connection.admin;
    this.#got = got.extend({
      prefixUrl: connection.baseUrl.replace(/\/+$/, ''),
      timeout: { request: connection.requestTimeoutMs ?? 10_000 },
      retry: {
        limit: 2,
        methods: ['GET', 'PUT', 'DELETE', 'HEAD'],
        calculateDelay: ({ computedValue }) => Math.min(computedValue, 300),
      },
      throwHttpErrors: true,
      followRedirect: false,
      responseType: 'text',
    });
  }

  get baseUrl(): string {
    return this.connection.baseUrl;
  }

  /** An admin REST call (path under `admin/`), JSON answer validated by `schema`. */
  async adminJson<T extends z.ZodType>(
    method: Method,
    path: string,
    schema: T,
    opts: RequestOptions,
  ): Promise<z.infer<T>> {
    const res = await this.admin(method, path, opts);
    return parseJson(schema, res.body, opts.what);
  }

  /** An admin REST call with the admin token; a 401 renews the token and tries once more. */
  async admin(method: Method, path: string, opts: RequestOptions): Promise<RawResponse> {
    for (let attempt = 0; ; attempt++) {
      const token = await this.#token(opts.signal);
      try {
        return await this.#send(method, path, opts, { authorization: `Bearer ${token}` });
      } catch (error) {
        const appError = translateKeycloakError(error, opts.what);
        if (appError.code === 'UPSTREAM_UNAUTHORIZED' && attempt === 0) {
          this.#adminToken = undefined;
          continue;
        }
        throw appError;
      }
    }
  }

  /** A call without admin credentials (token endpoint, discovery); errors are not translated. */
  async raw(method: Method, path: string, opts: RequestOptions): Promise<RawResponse> {
    return this.#send(method, path, { ...opts }, {}, false);
  }

  async #send(
    method: Method,
    path: string,
    opts: RequestOptions,
    headers: Record<string, string>,
    throwHttp = true,
  ): Promise<RawResponse> {
    try {
      const res = await this.#got(path.replace(/^\/+/, ''), {
        method,
        headers: { accept: 'application/json', ...headers },
        ...(opts.searchParams ? { searchParams: opts.searchParams } : {}),
        ...(opts.json !== undefined ? { json: opts.json } : {}),
        ...(opts.form ? { form: opts.form } : {}),
        ...(opts.signal ? { signal: opts.signal } : {}),
        ...(opts.timeoutMs ? { timeout: { request: opts.timeoutMs } } : {}),
        throwHttpErrors: throwHttp,
      });
      return { statusCode: res.statusCode, headers: res.headers, body: res.body };
    } catch (error) {
      if (!throwHttp && !(error instanceof AppError)) throw translateKeycloakError(error, opts.what);
      throw error;
    }
  }

  /** The admin access token these credentials get (cached like every admin call's), e.g. to read its roles. */
  adminAccessToken(signal?: AbortSignal): Promise<string> {
    return this.#token(signal);
  }

  /**
   * Authenticates from now on with `secret` for the same client (the secret the realm holds, read by
   * setup): the admin token fetched with the old one is dropped.
   */
  useClientSecret(secret: Secret): void {
    if (this.#admin.kind !== 'client') throw new TypeError('these admin credentials are not a client');
    this.#admin = { ...this.#admin, clientSecret: secret };
    this.#adminToken = undefined;
  }

  #token(signal: AbortSignal | undefined): Promise<string> {
    const cached = this.#adminToken;
    if (cached && this.#clock.now() < cached.renewAt) return Promise.resolve(cached.value);
    // Shared by every caller that needs it now; one caller giving up does not fail the others.
    return this.#adminTokenFlight.run('admin', (shared) => this.#fetchAdminToken(shared), signal);
  }

  async #fetchAdminToken(signal: AbortSignal | undefined): Promise<string> {
    const admin = this.#admin;
    const form: Record<string, string> =
      admin.kind === 'client'
        ? {
            grant_type: 'client_credentials',
            client_id: admin.clientId,
            client_secret: admin.clientSecret.reveal(),
          }
        : {
            grant_type: 'password',
            client_id: 'admin-cli',
            username: admin.username,
            password: admin.password.reveal(),
          };
    const started = this.#clock.now();
    const tokenRealm = admin.kind === 'client' ? (admin.realm ?? 'master') : 'master';
    const res = await this.raw(
      'POST',
      `realms/${encodeURIComponent(tokenRealm)}/protocol/openid-connect/token`,
      {
        form,
        signal,
        what: 'admin login',
      },
    );
    if (res.statusCode === 401 || res.statusCode === 400) {
      const settings =
        admin.kind === 'client'
          ? tokenRealm === 'master'
            ? `client "${admin.clientId}" (KEYCLOAK_ADMIN_CLIENT_ID / KEYCLOAK_ADMIN_CLIENT_SECRET, or KC_BOOTSTRAP_ADMIN_CLIENT_ID / KC_BOOTSTRAP_ADMIN_CLIENT_SECRET)`
            : `client "${admin.clientId}" of realm "${tokenRealm}" (it is made by the realm reconcile of init; does it exist with the secret on the volume?)`
          : 'KC_BOOTSTRAP_ADMIN_USERNAME / KC_BOOTSTRAP_ADMIN_PASSWORD';
      throw new UpstreamUnauthorizedError(`Keycloak rejected the admin credentials: check ${settings}`);
    }
    if (res.statusCode !== 200)
      throw translateKeycloakError(new UpstreamError(`status ${res.statusCode}`), 'admin login');
    const body = parseJson(tokenResponseSchema, res.body, 'admin login');
    this.#adminToken = { value: body.access_token, renewAt: started + body.expires_in * 800 };
    return body.access_token;
  }
}

export function parseJson<T extends z.ZodType>(schema: T, body: string, what: string): z.infer<T> {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch (error) {
    throw new UpstreamError(`${what}: Keycloak sent a body that is not JSON`, { cause: error });
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success)
    throw new UpstreamError(`${what}: unexpected answer from Keycloak`, { cause: parsed.error });
  return parsed.data;
}
