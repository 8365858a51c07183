// Starts the floor servers (floor-server.ts) for the token bench, each its own Node process with
// the image's flags, answering the bytes of one real token answer.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@keycloak-exapp/adapter-keycloak';
import { GcTrace } from './gc-trace.js';
import type { TokenRow } from './results.js';
import { IMAGE_NODE_FLAGS } from './server-process.js';

export interface FloorServer {
  readonly name: TokenRow['variant'];
  readonly url: string;
  readonly pid: number;
  /** Its garbage collections and allocation, when started with `--trace-gc`. */
  readonly gc: GcTrace;
  stop(): void;
}

export function startFloorServer(
  kind: 'node' | 'koa',
  answer: string,
  extraFlags: readonly string[] = [],
): Promise<FloorServer> {
  const bodyFile = join(mkdtempSync(join(tmpdir(), 'bench-floor-')), 'answer.json');
  writeFileSync(bodyFile, answer);
  return spawnServer(
    kind === 'node' ? 'floor: bare Node http' : 'floor: Koa + @koa/router',
    'floor-server.ts',
    [kind, bodyFile],
    extraFlags,
  );
}

/** Our app (app-floor-server.ts) in front of a stub (`http`) or of the real core over fakes (`core`). */
export function startAppFloorServer(
  mode: 'http' | 'core',
  users: number,
  secret: string,
  extraFlags: readonly string[] = [],
): Promise<FloorServer> {
  return spawnServer(
    mode === 'http' ? 'our app, core stubbed' : 'our app and core, in-memory fakes',
    'app-floor-server.ts',
    [mode, String(users), secret],
    extraFlags,
  );
}

async function spawnServer(
  name: TokenRow['variant'],
  script: string,
  args: readonly string[],
  extraFlags: readonly string[],
): Promise<FloorServer> {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [
      ...IMAGE_NODE_FLAGS,
      ...extraFlags,
      '--import',
      'tsx',
      join(import.meta.dirname, script),
      ...args,
      String(port),
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const gc = new GcTrace();
  await new Promise<void>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`${name} exited with ${code}`)));
    child.stdout.on('data', (chunk: Buffer) => {
      gc.feed(chunk.toString());
      if (chunk.toString().includes('listening')) resolve();
    });
  });
  return { name, url: `http://127.0.0.1:${port}`, pid: child.pid!, gc, stop: () => child.kill('SIGTERM') };
}
