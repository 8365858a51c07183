import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigurationError } from '@keycloak-exapp/core';

/** Java majors Keycloak supports, newest first: 26.6 added 25; before it 21 (17 deprecated). */
export function supportedJavaMajors(keycloakVersion: string): number[] {
  const [major = 0, minor = 0] = keycloakVersion.split('.').map((p) => Number.parseInt(p, 10));
  return major > 26 || (major === 26 && minor >= 6) ? [25, 21, 17] : [21, 17];
}

/** The Java major of a JDK or JRE home, from its `release` file; undefined when it has none. */
export function javaMajorOf(home: string): number | undefined {
  try {
    const version = /^JAVA_VERSION="(\d+)/m.exec(readFileSync(join(home, 'release'), 'utf8'))?.[1];
    return version === undefined ? undefined : Number.parseInt(version, 10);
  } catch {
    return undefined;
  }
}

/**
 * Picks the JDK to run a Keycloak version with: an explicit home (KEYCLOAK_JAVA_HOME) wins; then
 * the operator's JAVA_HOME when its Java is one Keycloak supports; otherwise the newest supported
 * major found under the JVM folder (Temurin 25 for 26.6+, 21 or 17 for 26.5).
 */
export function findJavaHome(
  keycloakVersion: string,
  opts: { explicit?: string | undefined; javaHome?: string | undefined; jvmDir?: string } = {},
): string {
  if (opts.explicit) {
    if (!existsSync(join(opts.explicit, 'bin', 'java'))) {
      throw new ConfigurationError(`KEYCLOAK_JAVA_HOME=${opts.explicit} has no bin/java`);
    }
    return opts.explicit;
  }
  const supported = supportedJavaMajors(keycloakVersion);
  let skipped = '';
  if (opts.javaHome) {
    const major = existsSync(join(opts.javaHome, 'bin', 'java')) ? javaMajorOf(opts.javaHome) : undefined;
    if (major !== undefined && supported.includes(major)) return opts.javaHome;
    skipped = ` (JAVA_HOME=${opts.javaHome} ${major === undefined ? 'is not a JDK with a release file' : `is Java ${major}`})`;
  }
  const jvmDir = opts.jvmDir ?? '/usr/lib/jvm';
  const candidates = existsSync(jvmDir) ? readdirSync(jvmDir) : [];
  for (const major of supported) {
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
    `no JDK for Keycloak ${keycloakVersion} under ${jvmDir}${skipped} (wants Java ${supported.join(' or ')}); set KEYCLOAK_JAVA_HOME or JAVA_HOME`,
  );
}
