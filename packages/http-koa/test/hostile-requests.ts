// Requests a hostile or broken caller sends to /api/*, for property-based tests (fast-check):
// random methods, paths, query strings, headers, ids (unicode, control characters, 10 kB) and
// bodies; half of them are a valid call with one part made hostile, so that they also reach past
// authentication. Each is sent as is by `rawRequest`.
import fc from 'fast-check';

/** `validSecret`: a consumer secret the server accepts (with the `token` and `sync` operations). */
export function hostileRequests(validSecret: string) {
  /** Strings a hostile or broken caller sends: unicode, control characters, 10 kB, traversal, nothing. */
  const hostileString = fc.oneof(
    fc.string({ maxLength: 40 }),
    fc.string({ unit: 'grapheme', maxLength: 20 }),
    fc.string({ unit: 'binary', maxLength: 20 }),
    fc.string({
      unit: fc.integer({ min: 0, max: 0x1f }).map((c) => String.fromCharCode(c)),
      minLength: 1,
      maxLength: 8,
    }),
    fc.constant('x'.repeat(10 * 1024)),
    fc.constant('é'.repeat(5 * 1024)),
    fc.constantFrom(
      'alice',
      'admin',
      '',
      ' ',
      '../../etc/passwd',
      '%00',
      'a\u0000b',
      '\u202e',
      '😀',
      'null',
      '{}',
    ),
  );
  /** A header value cannot carry CR or LF (that would be a second header, not a value). */
  const headerValue = hostileString.map((s) => s.replace(/[\r\n]/g, ''));
  /** Percent-encodes every byte of the UTF-8 form, so that any string fits in a request target. */
  const pct = (s: string) =>
    [...Buffer.from(s, 'utf8')].map((b) => `%${b.toString(16).padStart(2, '0').toUpperCase()}`).join('');

  const hostileRequest = fc.record({
    method: fc.oneof(
      { arbitrary: fc.constant('POST'), weight: 4 },
      fc.constantFrom('GET', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD', 'PROPFIND', 'TRACE'),
    ),
    path: fc.oneof(
      fc.constantFrom('/api/token', '/api/sync-user', '/api/delete-user', '/api/sync-all', '/api/'),
      hostileString.map((s) => `/api/sync-all/jobs/${pct(s)}`),
      hostileString.map((s) => `/api/${pct(s)}`),
    ),
    query: fc.option(
      fc.oneof(
        fc.constantFrom(
          'client_id=opentalk',
          'client_id=admin-cli',
          'client_id=',
          'async=1',
          'client_id=opentalk&x=1',
        ),
        hostileString.map((s) => `client_id=${pct(s)}`),
        fc.tuple(hostileString, hostileString).map(([k, v]) => `${pct(k)}=${pct(v)}`),
      ),
      { nil: undefined },
    ),
    userId: fc.option(headerValue, { nil: undefined }),
    secret: fc.option(fc.oneof(fc.constant(validSecret), fc.constant(`${validSecret}x`), headerValue), {
      nil: undefined,
    }),
    appApi: fc.option(
      fc.oneof(
        headerValue,
        hostileString.map((s) => Buffer.from(s).toString('base64')),
        hostileString.map((s) => Buffer.from(`admin:${s}`).toString('base64')),
      ),
      { nil: undefined },
    ),
    contentType: fc.option(
      fc.oneof(
        fc.constantFrom(
          'application/json',
          'text/plain',
          'application/x-www-form-urlencoded',
          'multipart/form-data',
        ),
        headerValue,
      ),
      { nil: undefined },
    ),
    extra: fc.option(fc.tuple(fc.stringMatching(/^x-[a-z0-9-]{1,20}$/), headerValue), { nil: undefined }),
    body: fc.option(
      fc.oneof(
        hostileString.map((s) => JSON.stringify({ user_id: s })),
        fc.json({ maxDepth: 3 }),
        hostileString,
        fc.constantFrom('{"user_id":', '[', '{"user_id":"alice","__proto__":{"x":1}}', 'null'),
      ),
      { nil: undefined },
    ),
  });

  /** A valid call with one part made hostile, so that the property also reaches past authentication. */
  const nearValidRequest = fc.record({
    method: fc.constant('POST'),
    path: fc.constantFrom('/api/token', '/api/sync-user'),
    query: fc.oneof(
      fc.constant('client_id=opentalk'),
      // Allowed on the server but not for the test's consumer: the property reliably reaches a 403.
      fc.constant('client_id=nextcloud'),
      hostileString.map((s) => `client_id=${pct(s)}`),
    ),
    userId: fc.oneof(fc.constantFrom('alice', 'admin', 'nobody-at-all'), headerValue),
    secret: fc.option(fc.constant(validSecret), { nil: undefined, freq: 4 }),
    appApi: fc.constant(undefined),
    contentType: fc.constant('application/json'),
    extra: fc.constant(undefined),
    body: fc.oneof(
      fc.constantFrom('{"user_id":"alice"}', '{"user_id":"nobody-at-all"}'),
      hostileString.map((s) => JSON.stringify({ user_id: s })),
    ),
  });

  return fc.oneof(hostileRequest, nearValidRequest);
}
