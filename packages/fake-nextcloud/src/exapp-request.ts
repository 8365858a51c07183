import { request, type IncomingHttpHeaders, type IncomingMessage, type OutgoingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';

/** Where the ExApp listens: TCP (`APP_HOST:APP_PORT`) or HaRP's unix socket. */
export type ExAppTarget = { readonly url: string } | { readonly socketPath: string };

export interface ExAppCall {
  readonly method: string;
  /** Path and query, starting with `/`. */
  readonly path: string;
  readonly headers: OutgoingHttpHeaders;
  readonly body?: Readable | Buffer | string | undefined;
  readonly timeoutMs?: number;
}

/** One HTTP request to the ExApp; resolves with the response as a stream. */
export function callExApp(target: ExAppTarget, call: ExAppCall): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const base = 'url' in target ? new URL(target.url) : undefined;
    const req = request(
      {
        method: call.method,
        path: call.path,
        headers: call.headers,
        ...(base
          ? { host: base.hostname, port: base.port }
          : { socketPath: (target as { socketPath: string }).socketPath }),
        timeout: call.timeoutMs ?? 30_000,
      },
      resolve,
    );
    req.on('timeout', () => req.destroy(new Error('ExApp request timed out')));
    req.on('error', reject);
    if (call.body === undefined) req.end();
    else if (typeof call.body === 'string' || Buffer.isBuffer(call.body)) req.end(call.body);
    else call.body.pipe(req);
  });
}

export async function readAll(res: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of res) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export type { IncomingHttpHeaders };
