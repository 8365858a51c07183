// HTTP/1.1 written byte by byte on a socket: Node's own client refuses the control characters,
// raw UTF-8 and odd methods the hostile-input tests must be able to send.
import { connect } from 'node:net';
import { readAnswer } from './exapp-harness.js';

export interface RawReply {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
  readonly json: unknown;
}

function dechunk(body: Buffer): Buffer {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const eol = body.indexOf('\r\n', at);
    if (eol < 0) break;
    const size = parseInt(body.subarray(at, eol).toString(), 16);
    if (!Number.isFinite(size) || size === 0) break;
    parts.push(body.subarray(eol + 2, eol + 2 + size));
    at = eol + 2 + size + 2;
  }
  return Buffer.concat(parts);
}

/** Sends one request (with `connection: close`) and reads the whole answer; rejects after `timeoutMs`. */
export function rawRequest(
  base: string,
  method: string,
  target: string,
  headers: readonly (readonly [string, string])[],
  body?: string,
  timeoutMs = 20_000,
): Promise<RawReply> {
  const url = new URL(base);
  const payload = body === undefined ? undefined : Buffer.from(body, 'utf8');
  const head = [
    `${method} ${target} HTTP/1.1`,
    `host: ${url.host}`,
    'connection: close',
    ...headers.map(([name, value]) => `${name}: ${value}`),
    ...(payload ? [`content-length: ${payload.length}`] : []),
    '',
    '',
  ].join('\r\n');
  return new Promise((resolve, reject) => {
    const socket = connect(Number(url.port), url.hostname);
    const chunks: Buffer[] = [];
    socket.setTimeout(timeoutMs, () => {
      socket.destroy();
      reject(new Error(`no answer within ${timeoutMs} ms to ${method} ${target.slice(0, 80)}`));
    });
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', (error) => {
      // The server may close early on a request it refuses; what arrived is the answer.
      if (chunks.length === 0) reject(error);
    });
    socket.on('close', () => {
      const all = Buffer.concat(chunks);
      const split = all.indexOf('\r\n\r\n');
      if (split < 0) {
        reject(new Error(`no HTTP answer to ${method} ${target.slice(0, 80)}`));
        return;
      }
      const [statusLine, ...lines] = all.subarray(0, split).toString('latin1').split('\r\n');
      const responseHeaders: Record<string, string> = {};
      for (const line of lines) {
        const colon = line.indexOf(':');
        responseHeaders[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
      }
      let rest: Buffer = all.subarray(split + 4);
      if (responseHeaders['transfer-encoding']?.includes('chunked')) rest = dechunk(rest);
      const text = rest.toString('utf8');
      const json = readAnswer(text);
      resolve({ status: Number(statusLine?.split(' ')[1]), headers: responseHeaders, body: text, json });
    });
    socket.write(Buffer.concat([Buffer.from(head, 'utf8'), ...(payload ? [payload] : [])]));
  });
}
