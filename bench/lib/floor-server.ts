// The floor of the token bench (issue 29): a server that answers POST /api/token with fixed bytes
// (a real cached token answer) and does nothing else, as bare Node `http` or as Koa + @koa/router.
// Run as its own process with the image's Node flags: `floor-server.ts <node|koa> <body file> <port>`.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import Router from '@koa/router';
import Koa from 'koa';

const [kind, bodyFile, port] = process.argv.slice(2);
const body = readFileSync(bodyFile!);
const listening = () => process.stdout.write(`listening ${port}\n`);

if (kind === 'node') {
  createServer((req, res) => {
    req.resume();
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': body.length });
    res.end(body);
  }).listen(Number(port), '127.0.0.1', listening);
} else {
  const app = new Koa();
  const router = new Router();
  router.post('/api/token', (ctx) => {
    ctx.type = 'application/json; charset=utf-8';
    ctx.body = body;
  });
  app.use(router.routes());
  app.listen(Number(port), '127.0.0.1', listening);
}
