// Each request's logger and signal are made on first use (a cached token answer uses neither), and
// the signal still tells a handler that its client went away, before or after it asked for it.
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import { describe, expect, it } from 'vitest';
import { noopLogger, type Logger } from '@keycloak-exapp/core';
import { requestContext } from '../src/middleware/request-context.js';
import { nextRequestId } from '../src/http/request-state.js';

function countingLogger(): { logger: Logger; children: Record<string, unknown>[] } {
  const children: Record<string, unknown>[] = [];
  const logger: Logger = {
    ...noopLogger,
    child(bindings: Record<string, unknown>) {
      children.push(bindings);
      return logger;
    },
  };
  return { logger, children };
}

async function serve(app: Koa): Promise<{ url: string; port: number; close: () => void }> {
  const handle = app.callback();
  const server = createServer((req, res) => void handle(req, res));
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, port, close: () => server.close() };
}

/** Sends a request and hangs up once the server has it. */
function hangUpAfterSending(port: number): Promise<void> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path: '/', method: 'GET' });
    req.on('error', () => undefined);
    req.end();
    setTimeout(() => {
      req.destroy();
      resolve();
    }, 50);
  });
}

describe('the request context', () => {
  it('makes the child logger, with the request id, only when a handler logs', async () => {
    const { logger, children } = countingLogger();
    const app = new Koa();
    app.use(requestContext(logger));
    app.use((ctx) => {
      if (ctx.path === '/logs') ctx.state.logger.info({}, 'hello');
      ctx.body = ctx.state.requestId;
    });
    const server = await serve(app);
    try {
      const quiet = await fetch(`${server.url}/quiet`);
      expect(quiet.headers.get('x-request-id')).toBe(await quiet.text());
      expect(children).toEqual([]);
      const id = await (await fetch(`${server.url}/logs`)).text();
      expect(children).toEqual([{ reqId: id }]);
    } finally {
      server.close();
    }
  });

  it.each(['before', 'after'] as const)(
    'aborts the signal when the client goes away, asked for %s it has',
    async (when) => {
      let aborted: Promise<boolean> | undefined;
      let settle!: () => void;
      const done = new Promise<void>((ok) => (settle = ok));
      const app = new Koa();
      app.use(requestContext(noopLogger));
      app.use(async (ctx) => {
        if (when === 'before') {
          const signal = ctx.state.signal;
          aborted = new Promise((ok) => signal.addEventListener('abort', () => ok(true)));
        }
        await new Promise((r) => setTimeout(r, 300));
        if (when === 'after') aborted = Promise.resolve(ctx.state.signal.aborted);
        settle();
        ctx.body = 'too late';
      });
      const server = await serve(app);
      try {
        await hangUpAfterSending(server.port);
        await done;
        expect(await aborted).toBe(true);
      } finally {
        server.close();
      }
    },
  );

  it('leaves the signal alone when the answer is written', async () => {
    let signal: AbortSignal | undefined;
    const app = new Koa();
    app.use(requestContext(noopLogger));
    app.use((ctx) => {
      signal = ctx.state.signal;
      ctx.body = 'ok';
    });
    const server = await serve(app);
    try {
      expect(await (await fetch(server.url)).text()).toBe('ok');
      await new Promise((r) => setTimeout(r, 50));
      expect(signal?.aborted).toBe(false);
    } finally {
      server.close();
    }
  });
});

describe('request ids', () => {
  it('are UUID-shaped and never repeat within the process', () => {
    const ids = Array.from({ length: 10_000 }, () => nextRequestId());
    for (const id of ids)
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
