/**
 * JSON as PHP's json_encode with JSON_HEX_TAG writes it (what Nextcloud sends): `/` as `\/`,
 * every non-ASCII UTF-16 unit as `\uxxxx` (lower-case hex), `<` and `>` as `\u003C` / `\u003E`.
 */
export function phpJsonEncode(value: unknown): string {
  return JSON.stringify(value)
    .replace(/\//g, '\\/')
    .replace(/</g, '\\u003C')
    .replace(/>/g, '\\u003E')
    .replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
