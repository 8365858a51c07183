// The exit codes of the README's table for usage, on every command and subcommand: a wrong flag or
// a missing argument is 2 wherever it is, help and version are 0, and a root option never takes a
// command's option of the same name.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './cli-run.js';

const env = {
  APP_SECRET: randomBytes(24).toString('hex'),
  APP_PERSISTENT_STORAGE: '/nonexistent/keycloak-exapp',
};
const version = (
  JSON.parse(readFileSync(join(import.meta.dirname, '..', 'package.json'), 'utf8')) as { version: string }
).version;

describe('usage exit codes', () => {
  it.each([
    [['bogus'], /unknown command 'bogus'/],
    [['doctor', '--bogus'], /unknown option '--bogus'/],
    [['secret', 'show', '--bogus'], /unknown option '--bogus'/],
    [['keycloak', 'install', '--version'], /option '--version <version>' argument missing/],
    [['keycloak', 'bogus'], /unknown command 'bogus'/],
    [['token', 'alice'], /required option '--client <id>' not specified/],
    [['sync', '--debug', '--user'], /option '--user <id>' argument missing/],
  ])('%j is a usage error: exit 2 and the reason', async (args, reason) => {
    const res = await runCli(args, env);
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(reason);
  });

  it('--version and help exit 0, on the root and on a subcommand', async () => {
    const top = await runCli(['--version'], env);
    expect([top.code, top.stdout.trim()]).toEqual([0, version]);
    const help = await runCli(['keycloak', 'install', '--help'], env);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/--version <version>/);
    expect(help.stdout).toMatch(/--debug/);
  });
});
