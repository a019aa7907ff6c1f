/**
 * The admin API's refusals: the entries of the error catalogue (src/errors/catalogue.ts) that
 * carry an HTTP status. Every error answer is `{code, message, problems?}`; `message` says why
 * in the words of the case at hand, `code` and status never change for a given cause.
 */
import { BalanceCode, BalanceError } from '../balance/index.js';
import { ERRORS, catalogueCode, type ErrorCode } from '../errors/catalogue.js';
import { ProvisioningError } from '../provisioning/document.js';
import { redisFailureOf } from '../redis/failures.js';
import { VpnError } from '../vpn/errors.js';

/** A catalogue code the admin API answers with. */
export type AdminErrorCode = {
  [K in ErrorCode]: (typeof ERRORS)[K] extends { status: number } ? K : never;
}[ErrorCode];

/** The codes the admin API answers with, and what each means. */
export const ADMIN_ERRORS = Object.fromEntries(
  Object.entries(ERRORS).filter(([, entry]) => 'status' in entry),
) as { [K in AdminErrorCode]: { status: number; title: string } };

function isAdminErrorCode(code: ErrorCode): code is AdminErrorCode {
  return Object.hasOwn(ADMIN_ERRORS, code);
}

/** One field of a refused request: `body.amount`, `params.msisdn`, `querystring.limit`. */
export interface Problem {
  field: string;
  reason: string;
}

export class AdminError extends Error {
  override name = 'AdminError';
  readonly status: number;

  constructor(
    readonly code: AdminErrorCode,
    message: string,
    readonly problems?: Problem[],
  ) {
    super(message);
    this.status = ERRORS[code].status;
  }

  toJSON(): { code: AdminErrorCode; message: string; problems?: Problem[] } {
    return { code: this.code, message: this.message, ...(this.problems ? { problems: this.problems } : {}) };
  }
}

/** A refusal of the request's shape, with each problem and the first one as the message. */
export function validationError(problems: Problem[]): AdminError {
  const first = problems[0];
  const message = first ? `${first.field}: ${first.reason}` : 'the request is not valid';
  return new AdminError('VALIDATION_FAILED', message, problems);
}

/** zod's path ['levels', 0, 'unitSeconds'] under `part`: `body.levels[0].unitSeconds`. */
export function fieldPath(part: string, path: readonly PropertyKey[]): string {
  return path.reduce<string>(
    (out, p) => (typeof p === 'number' ? `${out}[${p}]` : `${out}.${String(p)}`),
    part,
  );
}

/**
 * Balance-store refusals by their catalogue entry; those without an HTTP status (an admin call
 * cannot meet them as such) fall to BALANCE_REFUSED. An invalid argument is the request's fault.
 */
function fromBalance(err: BalanceError): AdminError {
  if (err.code === BalanceCode.INVALID_ARGUMENT) {
    return /would pass/.test(err.detail)
      ? new AdminError('AMOUNT_TOO_LARGE', err.detail)
      : validationError([{ field: 'body', reason: err.detail || err.message }]);
  }
  const code = catalogueCode(BalanceCode[err.code]);
  return new AdminError(code && isAdminErrorCode(code) ? code : 'BALANCE_REFUSED', err.message);
}

/**
 * The catalogue entry of any error a route may throw: ours, the balance store's, the VPN
 * registry's, a provisioning document's, Fastify's (schema validation, body parsing), or a
 * fault (INTERNAL, whose message does not leak the cause).
 */
export function toAdminError(err: unknown): AdminError {
  if (err instanceof AdminError) return err;
  if (err instanceof VpnError) {
    if (err.code === 'INVALID') return validationError([{ field: 'body', reason: err.reason }]);
    return new AdminError(err.code, err.reason);
  }
  if (err instanceof BalanceError) return fromBalance(err);
  if (err instanceof ProvisioningError) {
    return new AdminError(
      'DOCUMENT_REJECTED',
      err.problems[0] ?? 'the document was not applied',
      err.problems.map((p) => {
        const colon = p.indexOf(': ');
        return colon > 0
          ? { field: `body.${p.slice(0, colon)}`, reason: p.slice(colon + 2) }
          : { field: 'body', reason: p };
      }),
    );
  }
  if (err instanceof Error) {
    const fastify = err as Error & { code?: string; statusCode?: number };
    switch (fastify.code) {
      case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
        return new AdminError('UNSUPPORTED_MEDIA_TYPE', err.message);
      case 'FST_ERR_CTP_BODY_TOO_LARGE':
        return new AdminError('PAYLOAD_TOO_LARGE', err.message);
      case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      case 'FST_ERR_CTP_INVALID_JSON_BODY':
        return new AdminError('INVALID_JSON', err.message);
      default:
        // Not a body-parsing error of Fastify's: told apart below.
        break;
    }
    if (err instanceof SyntaxError && fastify.statusCode === 400)
      return new AdminError('INVALID_JSON', err.message);
    if (redisFailureOf(err)) return new AdminError('STORE_UNAVAILABLE', 'Redis cannot be reached; try again');
  }
  return new AdminError('INTERNAL', 'internal error; the server logged it');
}
