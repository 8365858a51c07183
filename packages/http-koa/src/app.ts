import Koa from 'koa';
import type Router from '@koa/router';
import type { Logger } from '@keycloak-exapp/core';
import { errorHandler } from './middleware/error-handler.js';
import { requestContext } from './middleware/request-context.js';
import { normalPathOnly } from './middleware/normal-path.js';

export interface AppParts {
  readonly logger: Logger;
  readonly routers: readonly Router[];
  /** Mounted after the routers, before anything reads a body (the Keycloak proxy). */
  readonly fallthrough?: readonly Koa.Middleware[];
}

function methodNotAllowed(): Error {
  return Object.assign(new Error('method not allowed'), { status: 405, expose: true });
}

/** Builds the Koa app; never listens (tests and main call `app.callback()`). */
export function createApp(parts: AppParts): Koa {
  const app = new Koa({ proxy: false });
  app.use(requestContext(parts.logger));
  app.use(errorHandler);
  // Every decision below is taken on the path as received, which must then be its normal form.
  app.use(normalPathOnly);
  for (const router of parts.routers) {
    app.use(router.routes());
    // A method no route knows (TRACE, PROPFIND, …) is the caller's mistake: 405, never a 5xx.
    app.use(router.allowedMethods({ throw: true, notImplemented: methodNotAllowed }));
  }
  for (const middleware of parts.fallthrough ?? []) app.use(middleware);
  // Errors are logged once, by the error handler; Koa's own default would print stacks to stderr.
  app.on('error', () => undefined);
  return app;
}
