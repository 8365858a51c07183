import { Command } from 'commander';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import type { CliEnv } from '../env.js';
import { useCases } from '../cli-context.js';
import { printJson, printTable, stderrLogger } from '../output.js';

export function tokenCommand(env: CliEnv, signal: AbortSignal): Command {
  return new Command('token')
    .description('get tokens for a user through the same use case as POST /api/token')
    .argument('<nextcloud-user>', 'the Nextcloud user id')
    .requiredOption('--client <id>', 'the client id (must be in KEYCLOAK_ALLOWED_CLIENTS)')
    .option('--decode', 'print header and claims of the access token (not the token itself)')
    .option('--show-token', 'also print the raw tokens (they grant access: handle with care)')
    .option('--users-file <path>', 'read users from a JSON file instead of Nextcloud')
    .option('--nextcloud-url <url>', 'read users from this Nextcloud with NEXTCLOUD_APP_PASSWORD')
    .option('--json', 'print the result as JSON')
    .action(
      async (
        userId: string,
        opts: {
          client: string;
          decode?: boolean;
          showToken?: boolean;
          usersFile?: string;
          nextcloudUrl?: string;
          json?: boolean;
        },
      ) => {
        const uc = await useCases(env, opts, stderrLogger());
        const issued = await uc.issueToken.execute({ userId, clientId: opts.client }, { signal });
        const claims = decodeJwt(issued.tokens.accessToken);
        const summary = {
          userId,
          clientId: opts.client,
          source: issued.source,
          expiresIn: issued.expiresIn,
          issuer: claims.iss,
          audience: claims.aud ?? null,
          subject: claims.sub,
          groups: (claims as { groups?: unknown }).groups ?? null,
          ...(opts.decode ? { header: decodeProtectedHeader(issued.tokens.accessToken), claims } : {}),
          ...(opts.showToken
            ? {
                access_token: issued.tokens.accessToken,
                refresh_token: issued.tokens.refreshToken,
                id_token: issued.tokens.idToken,
              }
            : {}),
        };
        if (opts.json) {
          printJson(summary);
          return;
        }
        printTable([
          ['user', userId],
          ['client', opts.client],
          ['issuer', String(claims.iss)],
          ['audience', JSON.stringify(claims.aud ?? null)],
          ['groups', JSON.stringify(summary.groups)],
          ['expires in', `${issued.expiresIn} s`],
        ]);
        if (opts.decode) {
          process.stdout.write(
            `header  ${JSON.stringify(summary.header)}\nclaims  ${JSON.stringify(claims, null, 2)}\n`,
          );
        }
        if (opts.showToken) process.stdout.write(`access_token  ${issued.tokens.accessToken}\n`);
      },
    );
}
