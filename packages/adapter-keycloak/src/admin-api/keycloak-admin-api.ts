import type { z } from 'zod';
import { UpstreamError, type CallOptions } from '@keycloak-exapp/core';
import type { KeycloakHttp } from '../keycloak.http.js';
import { parseJson } from '../keycloak.http.js';
import {
  ADMIN_ENDPOINTS,
  type AdminEndpoint,
  type AdminEndpoints,
  type EndpointName,
} from './admin-endpoints.js';

/** The `{name}` parameters of a path template. */
type PathParamNames<P extends string> = P extends `${string}{${infer Name}}${infer Rest}`
  ? Name | PathParamNames<Rest>
  : never;

type QueryValue = string | number | boolean;

/** What a call of endpoint `N` takes: its path parameters, and its query and body where it has them. */
export type AdminRequest<N extends EndpointName> = {
  readonly [K in PathParamNames<AdminEndpoints[N]['path']>]: string;
} & (AdminEndpoints[N] extends { readonly query: readonly (infer Q extends string)[] }
  ? { readonly query?: { readonly [K in Q]?: QueryValue } }
  : unknown) &
  (AdminEndpoints[N] extends { readonly body: infer B } ? { readonly body: B } : unknown);

type AnswerOf<E> = E extends { readonly answer: infer A }
  ? A extends z.ZodType
    ? z.infer<A>
    : A extends 'created-id'
      ? string
      : undefined
  : never;

/** What a call of endpoint `N` answers (`undefined` for an absent thing where the table says so). */
export type AdminAnswer<N extends EndpointName> = AdminEndpoints[N] extends { readonly notFound: 'undefined' }
  ? AnswerOf<AdminEndpoints[N]> | undefined
  : AnswerOf<AdminEndpoints[N]>;

/** The path of a call: the template's parameters filled in, each percent-encoded. */
export function endpointPath(endpoint: Pick<AdminEndpoint, 'path'>, params: Record<string, unknown>): string {
  return `admin/${endpoint.path.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = params[name];
    if (typeof value !== 'string' || value === '')
      throw new TypeError(`${endpoint.path}: the path parameter "${name}" is missing`);
    return encodeURIComponent(value);
  })}`;
}

/** The id of a created thing: the last path segment of the answer's `Location`. */
export function createdId(location: string | string[] | undefined, what: string): string {
  const id = typeof location === 'string' ? decodeURIComponent(location.split('/').pop() ?? '') : '';
  if (!id) throw new UpstreamError(`${what}: Keycloak sent no Location header`);
  return id;
}

/**
 * Keycloak's admin REST API through the table of `ADMIN_ENDPOINTS`: every call builds its path,
 * encodes its parameters, validates its answer and treats a 404 the same way. Transport (the admin
 * token, timeouts, retries, errors as core errors) is `KeycloakHttp`'s.
 */
export class KeycloakAdminApi {
  constructor(readonly http: KeycloakHttp) {}

  async call<N extends EndpointName>(
    name: N,
    request: AdminRequest<N>,
    opts: CallOptions = {},
  ): Promise<AdminAnswer<N>> {
    const endpoint: AdminEndpoint = ADMIN_ENDPOINTS[name];
    const { query, body } = request as { query?: Record<string, QueryValue>; body?: unknown };
    const path = endpointPath(endpoint, request);
    try {
      const res = await this.http.admin(endpoint.method, path, {
        ...(query ? { searchParams: query } : {}),
        ...(body !== undefined ? { json: body } : {}),
        signal: opts.signal,
        what: endpoint.what,
        ...(endpoint.timeoutMs ? { timeoutMs: endpoint.timeoutMs } : {}),
      });
      const { answer } = endpoint;
      if (answer === 'none') return undefined as AdminAnswer<N>;
      if (answer === 'created-id') return createdId(res.headers.location, endpoint.what) as AdminAnswer<N>;
      return parseJson(answer, res.body, endpoint.what) as AdminAnswer<N>;
    } catch (error) {
      if (endpoint.notFound === 'undefined' && (error as { code?: string }).code === 'NOT_FOUND')
        return undefined as AdminAnswer<N>;
      throw error;
    }
  }
}
