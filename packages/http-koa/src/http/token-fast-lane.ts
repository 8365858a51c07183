import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '@keycloak-exapp/core';
import { errorAnswerOf } from './error-status.js';
import { RequestState, nextRequestId } from './request-state.js';
import { authenticateRequest, type CallerAuth } from './caller.js';
import type { TokenEndpoint } from './token-endpoint.js';

/**
 * Answers a request itself and returns true, or returns false (having touched nothing) for the
 * Koa app to answer it.
 */
export type FastLane = (req: IncomingMessage, res: ServerResponse) => boolean;

const TOKEN_TARGET = '/api/token?client_id=';
/** A client id as consumers send it: no escapes, no other parameter, nothing a parser could read otherwise. */
const PLAIN_CLIENT_ID = /^[A-Za-z0-9\-._~]*$/;

/**
 * The ExApp server's way around Koa for the request consumers make most: `POST
 * /api/token?client_id=<plain id>` with `X-API-SECRET`. It takes only that exact form, so what it
 * answers is what the Koa route would (the same `TokenEndpoint`, authentication, error answers
 * and headers; token-fast-lane.test.ts holds the two to the same answers), without the request
 * context, routers and middlewares a request that cannot go anywhere else does not need. Every
 * other request (another path or query, a browser's signed request without a secret) is Koa's.
 */
export function tokenFastLane(parts: {
  readonly tokens: TokenEndpoint;
  readonly auth: CallerAuth;
  readonly logger: Logger;
}): FastLane {
  const { tokens, auth, logger } = parts;
  return (req, res) => {
    const target = req.url;
    if (
      req.method !== 'POST' ||
      target === undefined ||
      !target.startsWith(TOKEN_TARGET) ||
      !req.headers['x-api-secret']
    )
      return false;
    const clientIdParam = target.slice(TOKEN_TARGET.length);
    if (!PLAIN_CLIENT_ID.test(clientIdParam)) return false;
    serve(req, res, clientIdParam);
    return true;
  };

  function serve(req: IncomingMessage, res: ServerResponse, clientIdParam: string): void {
    const started = performance.now();
    const state = new RequestState(nextRequestId(), logger, res);
    let answer: Buffer | Promise<Buffer>;
    try {
      answer = tokens.answer({
        clientIdParam,
        caller: authenticateRequest(req, auth),
        userIdHeader: (req.headers['x-nc-user-id'] as string | undefined) ?? '',
        state,
        started,
      });
    } catch (error) {
      refuse(res, state, error);
      return;
    }
    if (Buffer.isBuffer(answer)) writeAnswer(res, state, answer);
    else
      answer.then(
        (body) => writeAnswer(res, state, body),
        (error: unknown) => refuse(res, state, error),
      );
  }

  function refuse(res: ServerResponse, state: RequestState, error: unknown): void {
    tokens.refused(error);
    writeError(res, state, error);
  }
}

function writeAnswer(res: ServerResponse, state: RequestState, body: Buffer): void {
  writeJson(res, 200, state, body, undefined);
}

/** The error handler's answer, as the Koa app writes it. */
function writeError(res: ServerResponse, state: RequestState, error: unknown): void {
  const answer = errorAnswerOf(error, state.logger);
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = JSON.stringify({ error: answer.message, code: answer.code, requestId: state.requestId });
  writeJson(res, answer.status, state, Buffer.from(body), answer.retryAfter);
}

/** The headers the Koa app sends with a JSON answer of the API, in one write with the body. */
function writeJson(
  res: ServerResponse,
  status: number,
  state: RequestState,
  body: Buffer,
  retryAfter: number | undefined,
): void {
  const headers = ['x-request-id', state.requestId];
  if (retryAfter !== undefined) headers.push('retry-after', String(retryAfter));
  headers.push(
    'cache-control',
    'no-store',
    'content-type',
    'application/json; charset=utf-8',
    'content-length',
    String(body.length),
  );
  res.writeHead(status, headers);
  res.end(body);
}
