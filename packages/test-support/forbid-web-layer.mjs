// `node --import <this file> …`: the process fails the moment anything resolves the web layer
// (Koa, its router and proxy, prom-client, or @keycloak-exapp/http-koa). The tests run the CLI's
// commands and the embedding examples under it to show they run without the HTTP package.
import { register } from 'node:module';
import { isMainThread } from 'node:worker_threads';

const WEB_LAYER = /^(koa|koa-[^/]+|@koa\/[^/]+|prom-client|@keycloak-exapp\/http-koa)(\/|$)/;

/** Module resolution hook (it runs on the loader's own thread). */
export async function resolve(specifier, context, next) {
  if (WEB_LAYER.test(specifier))
    throw new Error(`web layer loaded: ${specifier} (imported by ${context.parentURL ?? 'the entry point'})`);
  return next(specifier, context);
}

if (isMainThread) register(import.meta.url);
