import type { RealmReconcileReport, RealmSpec } from '../../domain/realm.js';
import { ConfigurationError } from '../../errors/errors.js';
import type { IdentityProvider } from '../../ports/identity-provider/identity-provider.port.js';
import { noopLogger, type Logger } from '../../ports/logger/logger.port.js';
import type { CallOptions } from '../../ports/signal.js';

export interface BootstrapRealmDeps {
  readonly identityProvider: IdentityProvider;
  readonly realmSpec: RealmSpec;
  readonly logger?: Logger;
}

/** Creates or reconciles the realm and its clients; idempotent, reports drift instead of overwriting it. */
export class BootstrapRealm {
  constructor(private readonly deps: BootstrapRealmDeps) {}

  async execute(opts: CallOptions = {}): Promise<RealmReconcileReport> {
    if (this.deps.realmSpec.realm !== this.deps.identityProvider.realm) {
      throw new ConfigurationError(
        `realm file is for "${this.deps.realmSpec.realm}" but the identity provider is bound to "${this.deps.identityProvider.realm}"`,
      );
    }
    const report = await this.deps.identityProvider.reconcileRealm(this.deps.realmSpec, opts);
    const logger = this.deps.logger ?? noopLogger;
    if (report.drift.length > 0)
      logger.warn({ realm: report.realm, drift: report.drift }, 'realm drift left in place');
    logger.info(
      { realm: report.realm, created: report.created, updated: report.updated },
      'realm reconciled',
    );
    return report;
  }
}
