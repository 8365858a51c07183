// Web Crypto only (no Node module): core runs wherever it is embedded.

const base64url = (bytes: Uint8Array): string => {
  let text = '';
  for (const b of bytes) text += String.fromCharCode(b);
  return btoa(text).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
};

/** 256 random bits, base64url: a code or an access token nobody can guess. */
export function randomToken(): string {
  return base64url(crypto.getRandomValues(new Uint8Array(32)));
}

/** RFC 7636's S256: base64url(SHA-256(verifier)). */
export async function pkceS256(verifier: string): Promise<string> {
  return base64url(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier))));
}

/**
 * Compares two strings in time that depends on neither: both are hashed first (equal lengths), then
 * every byte is compared.
 */
export async function constantTimeEqual(given: string, expected: string): Promise<boolean> {
  const [a, b] = await Promise.all(
    [given, expected].map(
      async (s) => new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(s))),
    ),
  );
  let diff = 0;
  for (let i = 0; i < a!.length; i++) diff |= a![i]! ^ b![i]!;
  return diff === 0;
}
