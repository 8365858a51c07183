import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from './exapp-harness.js';

const CLI = join(REPO_ROOT, 'packages/cli/dist/main.js');

/** Runs the built CLI with only `env` (and PATH), as an operator would; killed after 5 minutes. */
export function runCli(args: string[], env: Record<string, string>) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolveRun) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { PATH: process.env.PATH, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 300_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolveRun({ code, stdout, stderr });
    });
  });
}
