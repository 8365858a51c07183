import { describe, expect, it } from 'vitest';
import { createLogger } from '../src/logger.js';

function capture(level = 'debug') {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger(level, { write: (s) => lines.push(JSON.parse(s) as Record<string, unknown>) });
  return { logger, lines };
}

describe('the log format (server and CLI alike)', () => {
  it('writes one JSON line per entry with the level by name and the time in ISO 8601', () => {
    const { logger, lines } = capture();
    logger.child({ component: 'sync' }).warn({ users: 3 }, 'slow pass');
    expect(lines).toHaveLength(1);
    const [line] = lines;
    expect(line).toMatchObject({
      level: 'warn',
      app: 'keycloak-exapp',
      component: 'sync',
      users: 3,
      msg: 'slow pass',
    });
    expect(new Date(line!.time as string).toISOString()).toBe(line!.time);
  });

  it('drops entries below its level', () => {
    const { logger, lines } = capture('warn');
    logger.info({}, 'hidden');
    logger.error({}, 'shown');
    expect(lines.map((l) => [l.level, l.msg])).toEqual([['error', 'shown']]);
  });

  it('never writes a secret, password or token a caller passes in a field', () => {
    const { logger, lines } = capture();
    logger.info(
      {
        password: 'pw-1',
        headers: { 'x-api-secret': 'sec-2', authorization: 'Bearer tok-3' },
        body: { access_token: 'tok-4' },
      },
      'request',
    );
    const text = JSON.stringify(lines);
    for (const value of ['pw-1', 'sec-2', 'tok-3', 'tok-4']) expect(text).not.toContain(value);
    expect(text).toContain('[redacted]');
  });
});
