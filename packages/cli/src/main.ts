#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { isAppError } from '@keycloak-exapp/core';
import { EnvError } from '@keycloak-exapp/composition';
import { demoCommand } from './commands/demo.command.js';
import { doctorCommand } from './commands/doctor.command.js';
import { keycloakCommand } from './commands/keycloak.command.js';
import { secretCommand } from './commands/secret.command.js';
import { healthcheckCommand, serveCommand } from './commands/serve.command.js';
import { syncCommand } from './commands/sync.command.js';
import { tokenCommand } from './commands/token.command.js';
import { loadCliEnv } from './env.js';
import { EXIT, EXIT_CODES } from './exit-codes.js';

const debug = process.argv.includes('--debug');
/** A command asked for JSON: its failure is JSON on stdout too (`{error, code}`), for scripts. */
const json = process.argv.includes('--json');

function printJsonError(error: string, code: string): void {
  if (json) process.stdout.write(`${JSON.stringify({ error, code })}\n`);
}

async function main(): Promise<void> {
  const controller = new AbortController();
  let interrupted = false;
  process.on('SIGINT', () => {
    if (interrupted) process.exit(EXIT.interrupted);
    interrupted = true;
    controller.abort();
  });
  process.on('SIGTERM', () => controller.abort());
  const env = settingsForCommandLine();
  const program = new Command('keycloak-exapp')
    .description('Keycloak as a Nextcloud ExApp: sync, tokens, diagnosis')
    .version(packageVersion(), '-V, --version', 'print the version')
    .option('--debug', 'show stack traces and debug logs')
    // Root options only before the command: `keycloak install --version 26.7.3` is the command's.
    .enablePositionalOptions()
    .exitOverride()
    .configureOutput({ writeErr: (text) => process.stderr.write(text) });
  for (const command of [
    serveCommand(),
    healthcheckCommand(),
    syncCommand(env, controller.signal),
    tokenCommand(env, controller.signal),
    doctorCommand(env),
    keycloakCommand(env, controller.signal),
    secretCommand(env, controller.signal),
    demoCommand(env),
  ]) {
    program.addCommand(command);
  }
  // On every command and subcommand: errors come back here (exit codes as in the table), and
  // `--debug` is accepted after the command too (it is read from argv above).
  const everyCommand = (c: Command): void => {
    c.exitOverride();
    if (!c.options.some((o) => o.long === '--debug')) c.option('--debug', 'show stack traces and debug logs');
    c.commands.forEach(everyCommand);
  };
  program.commands.forEach(everyCommand);
  await program.parseAsync(process.argv);
  if (interrupted) process.exitCode = EXIT.interrupted;
}

/** This package's version (package.json beside dist/). */
function packageVersion(): string {
  const file = new URL('../package.json', import.meta.url);
  return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
}

/**
 * The settings, except when the command line only asks for help: help never depends on the
 * environment, so a wrong variable cannot hide how to use the command that would name it.
 */
function settingsForCommandLine(): ReturnType<typeof loadCliEnv> {
  try {
    return loadCliEnv();
  } catch (error) {
    const words = process.argv.slice(2).filter((a) => a !== '--debug');
    const onlyHelp =
      words.length === 0 || words.some((a) => ['--help', '-h', 'help', '--version', '-V'].includes(a));
    if (error instanceof EnvError && onlyHelp) return loadCliEnv({});
    throw error;
  }
}

main().catch((error: unknown) => {
  if (error instanceof CommanderError) {
    // Help and version exit 0; unknown flags, missing arguments and bad values are usage errors.
    process.exitCode = error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    if (error.exitCode !== 0) printJsonError(error.message.replace(/^error: /, ''), 'USAGE');
    return;
  }
  if (error instanceof EnvError) {
    // Every wrong variable, each on its line, and the same as one JSON log line for log collectors.
    process.stderr.write(`keycloak-exapp: ${error.message}\n`);
    process.stdout.write(error.logLine());
    process.exitCode = EXIT.usage;
    return;
  }
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`keycloak-exapp: ${message.split('\n')[0]}\n`);
  printJsonError(message.split('\n')[0]!, isAppError(error) ? error.code : 'INTERNAL');
  if (debug && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
  process.exitCode = isAppError(error) ? EXIT_CODES[error.code] : EXIT.internal;
});
