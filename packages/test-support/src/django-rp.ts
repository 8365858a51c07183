// The Django site of the sign-in tests: a relying party on mozilla-django-oidc (Open Zaak's and
// Open Klant's library), run from the venv `scripts/setup.sh --with-python-rp` builds once.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@keycloak-exapp/adapter-keycloak';
import { REPO_ROOT } from './keycloak-test-server.js';

const VENV = join(REPO_ROOT, '.cache/django-rp/venv');
const SITE = join(REPO_ROOT, 'packages/test-support/django-rp/rp.py');

export interface DjangoRelyingParty {
  /** Where a browser starts its login (the library's own view), returning to `/whoami`. */
  readonly loginUrl: string;
  /** Who is signed in (401 when nobody), with the id token's claims. */
  readonly whoamiUrl: string;
  /** The redirect URI the library sends (register it on the client). */
  readonly callbackUrl: string;
  /** What the site wrote (Django's request log and errors). */
  output(): string;
  stop(): Promise<void>;
}

export interface DjangoRelyingPartyOptions {
  /** The realm's URL as browsers reach it (`…/realms/<realm>`). */
  readonly issuer: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** Its port (default: a free one). Reserve it before the client's redirect URIs are set. */
  readonly port?: number;
}

export async function startDjangoRelyingParty(opts: DjangoRelyingPartyOptions): Promise<DjangoRelyingParty> {
  const python = join(VENV, 'bin/python');
  if (!existsSync(python))
    throw new Error(`no venv for the Django relying party at ${VENV}: run scripts/setup.sh --with-python-rp`);
  const port = opts.port ?? (await freePort());
  const stateDir = await mkdtemp(join(tmpdir(), 'django-rp-'));
  const child = spawn(python, [SITE], {
    env: {
      PATH: process.env.PATH,
      RP_PORT: String(port),
      RP_ISSUER: opts.issuer,
      RP_CLIENT_ID: opts.clientId,
      RP_CLIENT_SECRET: opts.clientSecret,
      RP_STATE_DIR: stateDir,
      PYTHONUNBUFFERED: '1',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  const exited = new Promise<number | null>((ok) => child.on('close', ok));
  const base = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null) child.kill('SIGTERM');
    await exited;
    await rm(stateDir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`the Django relying party exited (${child.exitCode}): ${output.slice(-2000)}`);
    }
    const status = await fetch(`${base}/whoami`).then(
      (r) => r.status,
      () => 0,
    );
    if (status === 401) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`the Django relying party did not answer within 60 s: ${output.slice(-2000)}`);
    }
    await new Promise((ok) => setTimeout(ok, 200));
  }
  return {
    loginUrl: `${base}/oidc/authenticate/?next=/whoami`,
    whoamiUrl: `${base}/whoami`,
    callbackUrl: `${base}/oidc/callback/`,
    output: () => output,
    stop,
  };
}
