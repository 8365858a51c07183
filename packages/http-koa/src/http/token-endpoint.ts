import {
  AcceptedValues,
  ClientNotAllowedError,
  ForbiddenError,
  InvalidInputError,
  clientIdSchema,
  toAppError,
  userIdSchema,
  type CallOptions,
  type IssueToken,
  type IssuedToken,
  type Logger,
} from '@keycloak-exapp/core';
import type { ServerMetrics } from '../metrics.js';
import type { CacheHitLog } from './cache-hit-log.js';
import { describeCaller, type Caller } from './caller.js';
import { TokenAnswerBytes } from './token-answer.js';
import { parseUserId } from './read-json.js';

/** A token request once its caller is known, however it arrived (the Koa route or the fast lane). */
export interface TokenRequest {
  /** `?client_id=` as sent (not yet checked). */
  readonly clientIdParam: unknown;
  readonly caller: Caller;
  /** `X-NC-USER-ID` as sent; '' when absent. */
  readonly userIdHeader: string;
  /** The request's state: its signal (made on first use) and its logger. */
  readonly state: CallOptions & { readonly logger: Logger };
  /** What a Nextcloud user's own request (a browser session) must also satisfy. */
  readonly assertSessionRequest?: () => void;
  /** `performance.now()` when the request arrived. */
  readonly started: number;
}

/** What the token request needs (part of `ExAppApiDeps`). */
export interface TokenEndpointDeps {
  readonly issueToken: IssueToken;
  /** Throws NOT_READY (503) while the identity provider cannot serve; default: always ready. */
  assertReady?(): void;
  /**
   * Throws NOT_READY (503) while no token can be issued at all (the realm is not there yet);
   * default: `assertReady`. A Keycloak restart is IssueToken's to handle: it still serves cached
   * tokens of users whose directory check holds.
   */
  assertTokenReady?(): void;
  /**
   * The clients a Nextcloud user may get tokens for themselves (a browser call through the
   * proxy); default: none. Consumers have their own allow-lists.
   */
  readonly userTokenClients?: ReadonlySet<string>;
  /**
   * The realm's public clients. The token answer's `refresh_with` says how its refresh token is
   * refreshed: `client_id` (public: at Keycloak's token endpoint with the client id alone) or
   * `client_secret` (confidential: there with the client's secret, or by calling `/api/token`
   * again). Without it the answer leaves the field out.
   */
  readonly publicClients?: ReadonlySet<string>;
  readonly metrics?: ServerMetrics;
  /** Aggregates the log lines of cache hits; without it each hit is logged at debug level. */
  readonly cacheHitLog?: CacheHitLog;
}

/**
 * `POST /api/token` after authentication: the checks, the use case, the metrics and log lines,
 * and the answer's bytes. One instance serves both ways a token request arrives, so they share the
 * answers serialised and the ids validated before (which are kept between requests).
 */
export class TokenEndpoint {
  readonly #answers = new TokenAnswerBytes();
  readonly #clientIds = new AcceptedValues(clientIdSchema);
  readonly #userIds = new AcceptedValues(userIdSchema);

  constructor(private readonly deps: TokenEndpointDeps) {}

  /**
   * The answer's JSON bytes, at once when the use case answers from memory (most requests), else
   * once it has answered; throws (or rejects with) the refusal, an AppError or a status error.
   */
  answer(request: TokenRequest): Buffer | Promise<Buffer> {
    const { deps } = this;
    const { caller, clientIdParam, userIdHeader: header } = request;
    if (!this.#clientIds.accepts(clientIdParam))
      throw new InvalidInputError('client_id is missing or malformed');
    const clientId = clientIdParam;
    let userId: string;
    if (caller.kind === 'consumer') {
      if (!caller.consumer.operations.has('token'))
        throw new ForbiddenError(`consumer "${caller.consumer.name}" may not get tokens`);
      if (!caller.consumer.clientIds.has(clientId)) throw new ClientNotAllowedError(clientId);
      userId = this.#userIds.accepts(header) ? header : parseUserId(header, 'X-NC-USER-ID');
    } else if (caller.kind === 'nextcloud-user') {
      if (header !== '' && header !== caller.userId)
        throw new ForbiddenError('a Nextcloud user may get tokens only for themselves');
      if (!deps.userTokenClients?.has(clientId)) throw new ClientNotAllowedError(clientId);
      request.assertSessionRequest?.();
      userId = caller.userId;
    } else {
      throw new ForbiddenError('tokens are issued for a user: use a consumer secret or call as that user');
    }
    if (!deps.issueToken.isClientAllowed(clientId)) throw new ClientNotAllowedError(clientId);
    if (deps.assertTokenReady) deps.assertTokenReady();
    else deps.assertReady?.();
    const input = { userId, clientId };
    let issued: IssuedToken | undefined;
    try {
      issued = deps.issueToken.cached(input);
    } catch (error) {
      throw this.#refusedAfterChecks(request, input, error);
    }
    if (issued) return this.#render(request, input, issued);
    // The request's state is the call's options: its signal is made only now that the use case
    // may wait for the directory or the identity provider.
    return deps.issueToken.execute(input, request.state).then(
      (later) => this.#render(request, input, later),
      (error: unknown) => {
        throw this.#refusedAfterChecks(request, input, error);
      },
    );
  }

  #render(request: TokenRequest, input: TokenInput, issued: IssuedToken): Buffer {
    const { deps } = this;
    const { userId, clientId } = input;
    if (issued.waitedForDirectory) deps.metrics?.directoryWaits.inc();
    if (issued.source === 'cache') {
      // Counted in the metrics; logged in aggregate (or at debug level), not one info line each.
      deps.metrics?.countCachedToken();
      if (deps.cacheHitLog) deps.cacheHitLog.record(callerName(request.caller), userId, clientId);
      else
        request.state.logger.debug(
          { ...auditOf(request, input), outcome: 'issued', source: 'cache' },
          'token issued',
        );
    } else {
      const seconds = (performance.now() - request.started) / 1000;
      deps.metrics?.tokenRequests.inc({ outcome: 'issued', source: issued.source });
      deps.metrics?.grantSeconds.observe({ source: issued.source }, seconds);
      request.state.logger.info(
        {
          ...auditOf(request, input),
          outcome: 'issued',
          source: issued.source,
          latencyMs: Math.round(seconds * 1000),
        },
        'token issued',
      );
    }
    const { tokens } = issued;
    return this.#answers.render(
      tokens,
      issued.expiresIn,
      tokens.refreshExpiresAt === null
        ? 0
        : Math.max(0, Math.floor((tokens.refreshExpiresAt - Date.now()) / 1000)),
      deps.publicClients && (deps.publicClients.has(clientId) ? 'client_id' : 'client_secret'),
    );
  }

  /** Logs a refusal of the use case (the request passed the route's own checks) and returns it. */
  #refusedAfterChecks(request: TokenRequest, input: TokenInput, error: unknown): unknown {
    request.state.logger.info(
      {
        ...auditOf(request, input),
        outcome: toAppError(error).code,
        latencyMs: Math.round(performance.now() - request.started),
      },
      'token refused',
    );
    return error;
  }

  /** Counts a refused request in the metrics, whichever step refused it. */
  refused(error: unknown): void {
    this.deps.metrics?.tokenRequests.inc({ outcome: toAppError(error).code, source: 'none' });
  }
}

interface TokenInput {
  readonly userId: string;
  readonly clientId: string;
}

function auditOf(request: TokenRequest, input: TokenInput) {
  return {
    audit: 'token',
    caller: callerName(request.caller),
    userId: input.userId,
    clientId: input.clientId,
  };
}

/** A consumer's name in log lines, made once per consumer (a cached token's tally names it on every request). */
const consumerNames = new WeakMap<object, string>();

function callerName(caller: Caller): string {
  if (caller.kind !== 'consumer') return describeCaller(caller);
  let name = consumerNames.get(caller.consumer);
  if (name === undefined) consumerNames.set(caller.consumer, (name = describeCaller(caller)));
  return name;
}
