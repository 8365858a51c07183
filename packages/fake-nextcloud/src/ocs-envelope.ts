import { phpJsonEncode } from './php-json.js';

export type OcsVersion = 1 | 2;

export interface OcsReply {
  readonly status: number;
  readonly body: string;
}

/** A successful OCS answer (§5.1). */
export function ocsOk(version: OcsVersion, data: unknown): OcsReply {
  const meta =
    version === 1
      ? { status: 'ok', statuscode: 100, message: 'OK', totalitems: '', itemsperpage: '' }
      : { status: 'ok', statuscode: 200, message: 'OK' };
  return { status: 200, body: phpJsonEncode({ ocs: { meta, data } }) };
}

/** An OCS failure: data is always `[]`, the HTTP status depends on the version (§5.1 table). */
export function ocsFailure(version: OcsVersion, statuscode: number, message: string): OcsReply {
  const meta =
    version === 1
      ? { status: 'failure', statuscode, message, totalitems: '', itemsperpage: '' }
      : { status: 'failure', statuscode, message };
  return { status: httpStatusFor(version, statuscode), body: phpJsonEncode({ ocs: { meta, data: [] } }) };
}

function httpStatusFor(version: OcsVersion, code: number): number {
  if (code === 997) return 401;
  if (version === 1) return 200;
  if (code === 998 || code === 404) return 404;
  if (code === 996 || code === 999) return 500;
  if (code === 403) return 403;
  if (code === 400) return 400;
  if (code < 200 || code > 600) return 400;
  return code;
}
