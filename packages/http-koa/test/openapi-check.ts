// Every answer the tests receive from /api/* and /metrics is checked against the OpenAPI document
// the server serves (packages/http-koa/src/openapi.ts): its status must be documented for the
// operation, and a JSON body must match the documented schema.
import { Ajv2020 } from 'ajv/dist/2020.js';
import { OPENAPI_DOCUMENT } from '@keycloak-exapp/http-koa';

const ajv = new Ajv2020({ strict: false, allErrors: true });
ajv.addSchema({ ...OPENAPI_DOCUMENT, $id: 'keycloak-exapp-api' });

type Operation = { responses: Record<string, { content?: Record<string, unknown> }> };
const paths = OPENAPI_DOCUMENT.paths as unknown as Record<string, Record<string, Operation>>;
const PROXY_PREFIX = /^(?:\/exapps\/[^/]+|(?:\/index\.php)?\/apps\/app_api\/proxy\/[^/]+)(?=\/)/;

/** The documented operation of a request, or undefined for a path the document does not cover. */
function operationOf(method: string, path: string): { template: string; op: Operation } | undefined {
  for (const [template, operations] of Object.entries(paths)) {
    const pattern = new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`);
    const op = operations[method.toLowerCase()];
    if (op && pattern.test(path)) return { template, op };
  }
  return undefined;
}

export const checkedAnswers = { count: 0 };

/**
 * Throws when an answer breaks the contract. Answers made by a proxy itself (text or HTML refusals,
 * a dropped connection) and paths the document does not cover are not the server's and pass.
 */
export function assertMatchesOpenApi(
  method: string,
  url: URL,
  status: number,
  contentType: string,
  text: string,
): void {
  const path = url.pathname.replace(PROXY_PREFIX, '');
  const found = operationOf(method, path);
  if (!found) return;
  const isJson = contentType.startsWith('application/json');
  if (path !== url.pathname && !isJson && status >= 400) return; // the proxy's own refusal
  const response = found.op.responses[String(status)];
  if (!response)
    throw new Error(
      `OpenAPI: ${method} ${found.template} answered ${status}, which the document does not list`,
    );
  checkedAnswers.count++;
  if (!isJson) return;
  const escaped = found.template.replace(/~/g, '~0').replace(/\//g, '~1');
  const ref = `keycloak-exapp-api#/paths/${escaped}/${method.toLowerCase()}/responses/${status}/content/application~1json/schema`;
  const validate = ajv.getSchema(ref) ?? ajv.compile({ $ref: ref });
  if (!validate(JSON.parse(text)))
    throw new Error(
      `OpenAPI: ${method} ${found.template} ${status} does not match: ${ajv.errorsText(validate.errors)}`,
    );
}
