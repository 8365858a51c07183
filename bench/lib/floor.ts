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

export async function startFloorServer(
  kind: 'node' | 'koa',
  answer: string,
  extraFlags: readonly string[] = [],
): Promise<FloorServer> {
  const bodyFile = join(mkdtempSync(join(tmpdir(), 'bench-floor-')), 'answer.json');
  writeFileSync(bodyFile, answer);
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [
      ...IMAGE_NODE_FLAGS,
      ...extraFlags,
      '--import',
      'tsx',
      join(import.meta.dirname, 'floor-server.ts'),
      kind,
      bodyFile,
      String(port),
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const gc = new GcTrace();
  await new Promise<void>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`floor server (${kind}) exited with ${code}`)));
    child.stdout.on('data', (chunk: Buffer) => {
      gc.feed(chunk.toString());
      if (chunk.toString().includes('listening')) resolve();
    });
  });
  return {
    name: kind === 'node' ? 'floor: bare Node http' : 'floor: Koa + @koa/router',
    url: `http://127.0.0.1:${port}`,
    pid: child.pid!,
    gc,
    stop: () => child.kill('SIGTERM'),
  };
}
