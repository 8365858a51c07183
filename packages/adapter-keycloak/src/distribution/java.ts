import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigurationError } from '@keycloak-exapp/core';

/** Java majors Keycloak supports, newest first: 26.6 added 25; before it 21 (17 deprecated). */
export function supportedJavaMajors(keycloakVersion: string): number[] {
  const [major = 0, minor = 0] = keycloakVersion.split('.').map((p) => Number.parseInt(p, 10));
  return major > 26 || (major === 26 && minor >= 6) ? [25, 21, 17] : [21, 17];
}

/**
 * Picks the JDK to run a Keycloak version with: an explicit home wins; otherwise the newest
 * supported major found under the JVM folder (Temurin 25 for 26.6+, 21 or 17 for 26.5).
 */
export function findJavaHome(
  keycloakVersion: string,
  opts: { explicit?: string | undefined; jvmDir?: string } = {},
): string {
  if (opts.explicit) {
    if (!existsSync(join(opts.explicit, 'bin', 'java'))) {
      throw new ConfigurationError(`KEYCLOAK_JAVA_HOME=${opts.explicit} has no bin/java`);
    }
    return opts.explicit;
  }
  const jvmDir = opts.jvmDir ?? '/usr/lib/jvm';
  const candidates = existsSync(jvmDir) ? readdirSync(jvmDir) : [];
  for (const major of supportedJavaMajors(keycloakVersion)) {
    const pattern = new RegExp(
      `^(temurin-${major}-jdk|java-${major}-openjdk|jdk-?${major}|openjdk-${major})([-.].*)?$`,
    );
    const found = candidates
      .filter((name) => pattern.test(name))
      .sort((a, b) => (a.startsWith('temurin') ? -1 : b.startsWith('temurin') ? 1 : a.localeCompare(b)))
      .map((name) => join(jvmDir, name))
      .find((home) => existsSync(join(home, 'bin', 'java')));
    if (found) return found;
  }
  throw new ConfigurationError(
    `no JDK for Keycloak ${keycloakVersion} under ${jvmDir} (wants Java ${supportedJavaMajors(keycloakVersion).join(' or ')}); set KEYCLOAK_JAVA_HOME`,
  );
}
