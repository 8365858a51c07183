// The consumers' own OIDC libraries, run on tokens the tests hand them: Spring Security's JWT
// decoder (Valtimo), mozilla-django-oidc's backend (Open Zaak, Open Klant) and the `openidconnect`
// crate (OpenTalk's controller). `scripts/setup.sh --with-consumer-libs` (and `--with-python-rp`)
// build them once under .cache/.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './keycloak-test-server.js';

/** What a library said of one token: accepted with what it read, or refused with its reason. */
export interface LibraryVerdict {
  readonly name: string;
  readonly accepted: boolean;
  readonly error?: string;
  readonly sub?: string;
  readonly aud?: string | readonly string[];
  readonly [claim: string]: unknown;
}

const SPRING = join(REPO_ROOT, '.cache/spring-jwt/target');
const OPENIDCONNECT = join(REPO_ROOT, '.cache/openidconnect-check/target/debug/openidconnect-check');
const DJANGO_PYTHON = join(REPO_ROOT, '.cache/django-rp/venv/bin/python');
const DJANGO_SITE = join(REPO_ROOT, 'packages/test-support/django-rp/rp.py');

function missing(path: string, flag: string): never {
  throw new Error(`${path} is not built: run scripts/setup.sh ${flag}`);
}

/** Runs `command` with `input` as JSON on stdin and reads its stdout as JSON. */
async function runJson<T>(
  command: string,
  args: readonly string[],
  input: unknown,
  env?: NodeJS.ProcessEnv,
): Promise<T> {
  const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'], env: env ?? process.env });
  let out = '';
  let err = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  child.stdin.end(JSON.stringify(input));
  const code = await new Promise<number | null>((ok) => child.on('close', ok));
  if (code !== 0) throw new Error(`${command} exited ${code}: ${err.slice(-2000)}`);
  return JSON.parse(out) as T;
}

export interface SpringCheck {
  readonly name: string;
  /** An access token. */
  readonly token: string;
  /** The resource server's own client id: the audience it requires. */
  readonly audience: string;
}

/**
 * Spring Security's `NimbusJwtDecoder` from the issuer location (discovery and JWKS fetched from
 * `issuer`), default validators with the issuer, and an audience validator per check; accepted
 * tokens come back with `authorities` as Valtimo reads them (realm roles, then its client's roles).
 */
export async function springDecode(
  issuer: string,
  checks: readonly SpringCheck[],
): Promise<LibraryVerdict[]> {
  const jar = join(SPRING, 'spring-jwt-check-1.jar');
  if (!existsSync(jar)) missing(jar, '--with-consumer-libs');
  const java = process.env.CONSUMER_JAVA ?? 'java'; // Java 17, as Valtimo runs
  return runJson(java, ['-cp', `${jar}:${join(SPRING, 'lib')}/*`, 'exapp.JwtCheck', issuer], checks);
}

export interface OpenIdConnectCheck {
  readonly name: string;
  readonly client_id: string;
  readonly client_secret?: string;
  readonly id_token: string;
}

/**
 * The `openidconnect` crate's ID-token verifier for a client built from the provider's metadata:
 * the discovery document and JWKS are fetched from `issuer` here and handed over.
 */
export async function openidconnectVerify(
  issuer: string,
  checks: readonly OpenIdConnectCheck[],
): Promise<LibraryVerdict[]> {
  if (!existsSync(OPENIDCONNECT)) missing(OPENIDCONNECT, '--with-consumer-libs');
  const discovery = (await (await fetch(`${issuer}/.well-known/openid-configuration`)).json()) as {
    jwks_uri: string;
  };
  const jwks = await (await fetch(discovery.jwks_uri)).json();
  return runJson(OPENIDCONNECT, [], { discovery, jwks, checks });
}

export interface DjangoCheck {
  readonly name: string;
  /** Absent: a bearer token alone, as the library's DRF authentication class gets one. */
  readonly id_token?: string;
  readonly access_token: string;
}

/**
 * mozilla-django-oidc's backend, configured for `clientId` as Open Zaak configures it: the ID token
 * verified, then userinfo read with the access token and its claims checked.
 */
export async function djangoVerify(
  opts: { readonly issuer: string; readonly clientId: string; readonly clientSecret: string },
  checks: readonly DjangoCheck[],
): Promise<LibraryVerdict[]> {
  if (!existsSync(DJANGO_PYTHON)) missing(DJANGO_PYTHON, '--with-python-rp');
  return runJson(DJANGO_PYTHON, [DJANGO_SITE, 'verify'], checks, {
    PATH: process.env.PATH,
    RP_PORT: '0',
    RP_ISSUER: opts.issuer,
    RP_CLIENT_ID: opts.clientId,
    RP_CLIENT_SECRET: opts.clientSecret,
    RP_STATE_DIR: '/nonexistent',
  });
}
