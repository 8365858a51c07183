// HaRP's FRP TLS as HaRP sets it up (its start.sh): a CA, a server certificate for `harp.nc` that
// frps presents, and a client certificate frpc presents; frps requires the client's. Made with
// openssl for each test run, so the tunnel under test verifies both ends.
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Writes `ca.crt`, `server.{crt,key}` and `client.{crt,key}` into `dir` (readable by a container's user). */
export function makeFrpCertificates(dir: string): void {
  mkdirSync(dir, { recursive: true });
  const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
  ssl(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '2',
    '-subj',
    '/CN=test-harp-ca',
    '-keyout',
    'ca.key',
    '-out',
    'ca.crt',
  );
  for (const [name, cn] of [
    ['server', 'harp.nc'],
    ['client', 'keycloak-exapp'],
  ] as const) {
    writeFileSync(join(dir, `${name}.ext`), `subjectAltName=DNS:${cn}\n`);
    ssl(
      'req',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-subj',
      `/CN=${cn}`,
      '-keyout',
      `${name}.key`,
      '-out',
      `${name}.csr`,
    );
    ssl(
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      'ca.crt',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-days',
      '2',
      '-extfile',
      `${name}.ext`,
      '-out',
      `${name}.crt`,
    );
  }
  for (const file of readdirSync(dir)) chmodSync(join(dir, file), 0o644);
}

/** frps's settings for that TLS: TLS only, its certificate, and the client's verified by the CA. */
export function frpsTlsLines(dir: string): string {
  return [
    'transport.tls.force = true',
    `transport.tls.certFile = ${JSON.stringify(join(dir, 'server.crt'))}`,
    `transport.tls.keyFile = ${JSON.stringify(join(dir, 'server.key'))}`,
    `transport.tls.trustedCaFile = ${JSON.stringify(join(dir, 'ca.crt'))}`,
    '',
  ].join('\n');
}
