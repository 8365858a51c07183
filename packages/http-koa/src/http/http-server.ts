import { createServer, type Server } from 'node:http';
import type Koa from 'koa';
import type { FastLane } from './token-fast-lane.js';

/**
 * The Node HTTP server around the Koa app. Requests Node refuses before Koa sees them (headers
 * over the 16 KiB limit, malformed request lines) still get the `{error, code}` JSON answer.
 * `fastLane` sees each request first and may answer it itself (the ExApp's token fast lane).
 */
export function createHttpServer(app: Koa, fastLane?: FastLane): Server {
  const handle = app.callback();
  const server = createServer((req, res) => {
    if (fastLane?.(req, res)) return;
    void handle(req, res);
  });
  server.on('clientError', (error: NodeJS.ErrnoException, socket) => {
    if (!socket.writable) {
      socket.destroy();
      return;
    }
    const tooLarge = error.code === 'HPE_HEADER_OVERFLOW';
    const body = JSON.stringify({
      error: tooLarge ? 'request headers are too large' : 'malformed request',
      code: 'INVALID_INPUT',
    });
    socket.end(
      `HTTP/1.1 ${tooLarge ? '431 Request Header Fields Too Large' : '400 Bad Request'}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
    );
  });
  return server;
}
