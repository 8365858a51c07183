import { createLogger } from '@keycloak-exapp/composition';
import type { Logger, SyncProgress, SyncReport } from '@keycloak-exapp/core';

/**
 * Logs go to stderr in the server's format (a JSON line each, level names, ISO time), so stdout
 * carries only results; warnings and errors always, the rest with `--debug`.
 */
export function stderrLogger(bindings: Record<string, unknown> = {}, debug = false): Logger {
  return createLogger(debug ? 'debug' : 'warn', process.stderr).child(bindings);
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export function printTable(rows: readonly (readonly [string, string | number])[]): void {
  const width = Math.max(...rows.map(([k]) => k.length));
  for (const [key, value] of rows) process.stdout.write(`${key.padEnd(width)}  ${value}\n`);
}

/** A progress bar on a terminal (users done/total, rate, ETA); a plain line per 10 % otherwise. */
export function progressReporter(stream: NodeJS.WriteStream = process.stderr): {
  update(p: SyncProgress): void;
  done(): void;
} {
  const started = Date.now();
  let lastDecile = -1;
  return {
    update({ done, total }) {
      const seconds = (Date.now() - started) / 1000;
      const rate = seconds > 0 ? done / seconds : 0;
      const eta = rate > 0 ? Math.ceil((total - done) / rate) : 0;
      if (stream.isTTY) {
        const width = 30;
        const filled = total === 0 ? width : Math.round((width * done) / total);
        stream.write(
          `\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total}  ${rate.toFixed(0)}/s  ETA ${eta}s `,
        );
      } else {
        const decile = total === 0 ? 10 : Math.floor((10 * done) / total);
        if (decile !== lastDecile) {
          lastDecile = decile;
          stream.write(`sync: ${done}/${total} users (${rate.toFixed(0)}/s, ETA ${eta}s)\n`);
        }
      }
    },
    done() {
      if (stream.isTTY) stream.write('\n');
    },
  };
}

export function printSyncReport(report: SyncReport): void {
  printTable([
    ['created', report.created],
    ['updated', report.updated],
    ['disabled', report.disabled],
    ['deleted', report.deleted],
    ['unchanged', report.unchanged],
    ['failed', report.failed.length],
    ['seconds', (report.durationMs / 1000).toFixed(1)],
  ]);
  for (const f of report.failed)
    process.stdout.write(`  ✗ ${f.userId} (${f.action}): ${f.code} ${f.message}\n`);
}
