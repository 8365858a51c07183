import { z } from 'zod';
import {
  ForbiddenError,
  NotFoundError,
  UpstreamError,
  UpstreamUnauthorizedError,
  UpstreamUnavailableError,
  type AppError,
} from '@keycloak-exapp/core';

const envelopeSchema = z.object({
  ocs: z.object({
    meta: z.looseObject({ status: z.string(), statuscode: z.coerce.number(), message: z.string().nullish() }),
    data: z.unknown(),
  }),
});

export interface OcsAnswer {
  readonly statusCode: number;
  readonly body: string;
}

/**
 * Unwraps an OCS answer (v1 or v2, §5.1) or throws the matching core error. HTML error pages,
 * truncated bodies and a 200 carrying an OCS failure all become typed errors, never data.
 */
export function unwrapOcs(answer: OcsAnswer, what: string, actingUser: string): unknown {
  let json: unknown;
  try {
    json = JSON.parse(answer.body);
  } catch {
    if (answer.statusCode >= 500)
      return fail(new UpstreamUnavailableError(`${what}: Nextcloud answered ${answer.statusCode}`));
    if (answer.statusCode === 401) return fail(unauthorized(what, actingUser));
    return fail(
      new UpstreamError(`${what}: Nextcloud answered ${answer.statusCode} with a body that is not OCS JSON`),
    );
  }
  const parsed = envelopeSchema.safeParse(json);
  if (!parsed.success) {
    if (answer.statusCode >= 500)
      return fail(new UpstreamUnavailableError(`${what}: Nextcloud answered ${answer.statusCode}`));
    return fail(
      new UpstreamError(`${what}: Nextcloud answered ${answer.statusCode} without an OCS envelope`),
    );
  }
  const { meta, data } = parsed.data.ocs;
  const code = meta.statuscode;
  if (meta.status === 'ok' && (code === 100 || code === 200) && answer.statusCode < 300) return data;
  const message = meta.message ? ` (${meta.message})` : '';
  if (code === 997 || answer.statusCode === 401) return fail(unauthorized(what, actingUser));
  if (code === 998 || code === 404 || answer.statusCode === 404)
    return fail(new NotFoundError(`${what}: not found${message}`));
  if (code === 403 || answer.statusCode === 403) {
    return fail(
      new ForbiddenError(
        `${what}: Nextcloud refused the acting user "${actingUser}"${message}; it must be an admin`,
      ),
    );
  }
  if (code === 996 || code === 999 || answer.statusCode >= 500)
    return fail(new UpstreamUnavailableError(`${what}: Nextcloud failed${message}`));
  return fail(new UpstreamError(`${what}: OCS status ${code}${message}`));
}

function unauthorized(what: string, actingUser: string): AppError {
  return new UpstreamUnauthorizedError(
    `${what}: Nextcloud did not accept the AppAPI credentials acting as "${actingUser}" (check APP_SECRET and NEXTCLOUD_ACTING_USER; the provisioning API needs an admin user)`,
  );
}

function fail(error: AppError): never {
  throw error;
}
