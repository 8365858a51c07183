#!/usr/bin/env node
import 'reflect-metadata';
import { Command } from 'commander';
import { demoCommand } from './commands/demo.command.js';
import { keycloakCommand } from './commands/keycloak.command.js';
import { healthcheckCommand, serveCommand } from './commands/serve.command.js';
import { loadCliEnv } from './env.js';

async function main(): Promise<void> {
  const env = loadCliEnv();
  const program = new Command('keycloak-exapp')
    .description('Keycloak as a Nextcloud ExApp: sync, tokens, diagnosis')
    .showHelpAfterError();
  program.addCommand(serveCommand());
  program.addCommand(healthcheckCommand());
  program.addCommand(keycloakCommand(env));
  program.addCommand(demoCommand(env));
  await program.parseAsync(process.argv);
}

main().catch((error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`keycloak-exapp: ${message}\n`);
  process.exitCode = 1;
});
