import { Command, InvalidArgumentError } from 'commander';
import type { CliEnv } from '../env.js';
import { useCases } from '../cli-context.js';
import { printJson, printSyncReport, progressReporter, stderrLogger } from '../output.js';

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 64) throw new InvalidArgumentError('a whole number from 1 to 64');
  return n;
}

export function syncCommand(env: CliEnv, signal: AbortSignal): Command {
  return new Command('sync')
    .description('bring the realm in line with the user source (all users, or one)')
    .option('--user <id>', 'sync one user')
    .option('--dry-run', 'print the plan, write nothing')
    .option('--concurrency <n>', 'parallel Keycloak writes (1-64)', positiveInt)
    .option('--users-file <path>', 'read users from a JSON file instead of Nextcloud')
    .option('--nextcloud-url <url>', 'read users from this Nextcloud with NEXTCLOUD_APP_PASSWORD')
    .option('--json', 'print the result as JSON')
    .action(
      async (opts: {
        user?: string;
        dryRun?: boolean;
        concurrency?: number;
        usersFile?: string;
        nextcloudUrl?: string;
        json?: boolean;
      }) => {
        const uc = await useCases(env, opts, stderrLogger());
        if (opts.user) {
          if (opts.dryRun) {
            // The same plan the write would follow (SyncUser's), written nowhere.
            const { outcome } = await uc.syncUser.execute({ userId: opts.user, dryRun: true }, { signal });
            if (opts.json) printJson({ userId: opts.user, dryRun: true, outcome });
            else process.stdout.write(`${opts.user}: would ${outcome}\n`);
            return;
          }
          const result = await uc.syncUser.execute({ userId: opts.user }, { signal });
          if (opts.json) printJson(result);
          else process.stdout.write(`${result.userId}: ${result.outcome}\n`);
          return;
        }
        const progress = opts.json ? undefined : progressReporter();
        const report = await uc.syncAllUsers.execute(
          { dryRun: opts.dryRun ?? false, ...(opts.concurrency ? { concurrency: opts.concurrency } : {}) },
          { signal, onProgress: (p) => progress?.update(p) },
        );
        progress?.done();
        if (opts.json) {
          printJson({
            ...report,
            plan: report.plan
              ? report.plan.actions.map((a) => ({ kind: a.kind, userId: a.nextcloudId }))
              : undefined,
          });
          return;
        }
        if (report.plan) {
          for (const a of report.plan.actions)
            if (a.kind !== 'unchanged') process.stdout.write(`would ${a.kind}: ${a.nextcloudId}\n`);
        }
        printSyncReport(report);
      },
    );
}
