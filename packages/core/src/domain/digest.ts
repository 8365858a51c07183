/**
 * SHA-256 of a string's UTF-8 bytes, as lower-case hex, through Web Crypto (a global in Node ≥ 20,
 * no platform module and no I/O).
 */
export async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (byte) => byte.toString(16).padStart(2, '0')).join('');
}

/** Unpadded base64url of `bytes` (RFC 4648 §5), from the standard `btoa`. */
export function base64url(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
}
