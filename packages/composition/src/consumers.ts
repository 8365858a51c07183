import { ConfigurationError, Secret } from '@keycloak-exapp/core';
import { ConstantTimeSecret } from '@keycloak-exapp/adapter-nextcloud';
import type { ConsumerSpec } from './settings/token-api.settings.js';

export type Operation = 'token' | 'sync' | 'delete';

/** Who a consumer is and what it may do: its name, the client ids and the operations it is allowed. */
export interface ConsumerGrant {
  readonly name: string;
  readonly clientIds: ReadonlySet<string>;
  readonly operations: ReadonlySet<Operation>;
}

/** A consumer ExApp allowed to call the API with its own secret. */
export interface Consumer extends ConsumerGrant {
  readonly secret: Secret;
}

/** The original Python ExApp's public default secret: refused unless explicitly allowed. */
export const PUBLIC_DEFAULT_SECRETS = new Set([
  'changeme',
  'change-me',
  'secret',
  'keycloak',
  'nextcloud-keycloak-api-secret',
]);

export interface ConsumerSettings {
  /** KEYCLOAK_API_CONSUMERS, parsed by `consumerListSchema`. */
  readonly consumers?: readonly ConsumerSpec[] | undefined;
  /** KEYCLOAK_API_SECRET: one consumer, as in the original ExApp. */
  readonly apiSecret?: string | undefined;
  /** Used when neither is set: generated on first start, kept on the persistent volume. */
  readonly generatedSecret: string;
  readonly allowedClientIds: readonly string[];
  readonly allowPublicDefault: boolean;
}

export function buildConsumers(settings: ConsumerSettings): { consumers: Consumer[]; warnings: string[] } {
  const warnings: string[] = [];
  const all = new Set<Operation>(['token', 'sync', 'delete']);
  let list: Consumer[];
  if (settings.consumers) {
    list = settings.consumers.map((c) => ({
      name: c.name,
      secret: new Secret(c.secret),
      clientIds: new Set(c.clientIds),
      operations: new Set(c.operations),
    }));
  } else {
    const secret = settings.apiSecret ?? settings.generatedSecret;
    list = [
      {
        name: settings.apiSecret ? 'default' : 'generated',
        secret: new Secret(secret),
        clientIds: new Set(settings.allowedClientIds),
        operations: all,
      },
    ];
  }
  for (const consumer of list) {
    if (PUBLIC_DEFAULT_SECRETS.has(consumer.secret.reveal())) {
      if (!settings.allowPublicDefault) {
        throw new ConfigurationError(
          `consumer "${consumer.name}" uses a public default secret; set a strong KEYCLOAK_API_SECRET (or KEYCLOAK_ALLOW_PUBLIC_DEFAULT_SECRET=true to accept the risk)`,
        );
      }
      warnings.push(
        `consumer "${consumer.name}" uses a public default secret (allowed by KEYCLOAK_ALLOW_PUBLIC_DEFAULT_SECRET)`,
      );
    }
    for (const clientId of consumer.clientIds) {
      if (!settings.allowedClientIds.includes(clientId)) {
        throw new ConfigurationError(
          `consumer "${consumer.name}" names client "${clientId}", which is not in KEYCLOAK_ALLOWED_CLIENTS`,
        );
      }
    }
  }
  return { consumers: list, warnings };
}

/** Finds the consumer whose secret matches, comparing every one in constant time. */
export class ConsumerRegistry {
  readonly #entries: { consumer: Consumer; secret: ConstantTimeSecret }[];

  constructor(consumers: readonly Consumer[]) {
    this.#entries = consumers.map((consumer) => ({
      consumer,
      secret: new ConstantTimeSecret(consumer.secret),
    }));
  }

  /** The consumer whose secret this is: hashed once, compared with every consumer's (no early exit). */
  match(presented: string): Consumer | undefined {
    const digest = ConstantTimeSecret.digestOf(presented);
    let found: Consumer | undefined;
    for (const entry of this.#entries) {
      if (entry.secret.matchesDigest(digest)) found = entry.consumer;
    }
    return found;
  }

  get size(): number {
    return this.#entries.length;
  }

  /** Who may call and what for, without the secrets (for the admin's status view). */
  grants(): ConsumerGrant[] {
    return this.#entries.map(({ consumer }) => ({
      name: consumer.name,
      clientIds: consumer.clientIds,
      operations: consumer.operations,
    }));
  }
}
