/**
 * The one catalogue of the admin API's refusals: a stable code, its HTTP status, and what it
 * means. Every error answer is `{code, message, problems?}`; `message` says why in the words of
 * the case at hand, `code` and status never change for a given cause. The VPN refusals keep the
 * codes and statuses of src/vpn/errors.ts (a unit test holds the two together).
 */
import { BalanceCode, BalanceError } from '../balance/index.js';
import { ProvisioningError } from '../provisioning/document.js';
import { VPN_ERROR_STATUS, VpnError } from '../vpn/errors.js';

export const ADMIN_ERRORS = {
  VALIDATION_FAILED: {
    status: 400,
    title: 'the request breaks its schema; `problems` names each field and why',
  },
  INVALID_JSON: { status: 400, title: 'the body is not valid JSON' },
  UNAUTHORIZED: { status: 401, title: 'no bearer token, or not one of the configured tokens' },
  INSUFFICIENT_SCOPE: { status: 403, title: 'the token is read-only and the route changes something' },
  ROUTE_NOT_FOUND: { status: 404, title: 'no such route' },
  ACCOUNT_NOT_FOUND: { status: 404, title: 'no account with this MSISDN' },
  TARIFF_NOT_FOUND: { status: 404, title: 'no tariff with this id' },
  GROUP_NOT_FOUND: { status: 404, title: 'no VPN group with this id' },
  PACKAGE_NOT_FOUND: { status: 404, title: 'no VPN package with this id' },
  MEMBER_NOT_FOUND: { status: 404, title: 'the number is not a member of the group' },
  ACTIVATION_NOT_FOUND: { status: 404, title: 'the number has no VPN package activation' },
  ACCOUNT_EXISTS: { status: 409, title: 'an account with this MSISDN exists already' },
  ALIAS_TAKEN: { status: 409, title: 'the IMSI or NAI already names another account' },
  REFERENCE_REUSED: {
    status: 409,
    title: 'the reference was used for another amount or bucket of this account',
  },
  POSTPAID_MEMBER: {
    status: 409,
    title: 'the account belongs to a VPN group, which only a prepaid account may (ZTE S208)',
  },
  BUSY: { status: 409, title: 'another request is changing the same account or VPN function; try again' },
  SHORT_NUMBER_TAKEN: { status: 409, title: 'the short number is taken in the group (ZTE S206)' },
  ALREADY_MEMBER: { status: 409, title: 'the number is in the group already, with other details' },
  GROUP_FULL: { status: 409, title: 'the group has its maximum number of members (ZTE S201)' },
  BELONGS_ELSEWHERE: {
    status: 409,
    title: 'the number belongs to another group; a number belongs to one group only (ZTE S203/S204)',
  },
  EXTENSION_LENGTH_LOCKED: {
    status: 409,
    title: 'the group has members: its extension length cannot change',
  },
  MAX_MEMBERS_BELOW_COUNT: { status: 409, title: 'the group has more members than the new maximum' },
  PAYLOAD_TOO_LARGE: { status: 413, title: 'the body is larger than the server accepts' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, title: 'the body must be application/json' },
  UNKNOWN_TARIFF: { status: 422, title: 'the tariff named is not provisioned' },
  CURRENCY_MISMATCH: {
    status: 422,
    title: "the tariff's currency is not the account's: money cannot change currency",
  },
  AMOUNT_TOO_LARGE: { status: 422, title: 'the bucket would pass the largest amount the store keeps' },
  DOCUMENT_REJECTED: {
    status: 422,
    title: 'the provisioning document breaks a rule; `problems` names each; nothing was applied',
  },
  SHORT_NUMBER_LENGTH: {
    status: 422,
    title: "a short number has exactly the group's extension length (ZTE S206)",
  },
  UNKNOWN_ACCOUNT: {
    status: 422,
    title: 'a belonging member, or an activation, needs an account of this OCS',
  },
  NOT_PREPAID: { status: 422, title: 'only a prepaid account may belong to a group or activate (ZTE S208)' },
  NOT_BELONGING: { status: 422, title: 'only a belonging member may activate a VPN package (ZTE S302)' },
  INSUFFICIENT_FUNDS: {
    status: 422,
    title: 'the functional fee cannot be paid; nothing was charged or stored',
  },
  CHARGE_REFUSED: { status: 422, title: 'the balance store refused the functional fee' },
  BALANCE_REFUSED: { status: 422, title: 'the balance store refused the operation' },
  INTERNAL: { status: 500, title: 'a fault of the server; it is logged' },
  ADMIN_DISABLED: { status: 503, title: 'no admin token is configured (ADMIN_TOKEN or ADMIN_TOKENS)' },
  STORE_UNAVAILABLE: { status: 503, title: 'Redis cannot be reached; nothing was changed' },
} as const satisfies Record<string, { status: number; title: string }>;

export type AdminErrorCode = keyof typeof ADMIN_ERRORS;

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
    this.status = ADMIN_ERRORS[code].status;
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

const VPN_CODES = Object.keys(VPN_ERROR_STATUS) as (keyof typeof VPN_ERROR_STATUS)[];

/** Balance-store refusals as admin codes; those an admin call cannot meet fall to BALANCE_REFUSED. */
function fromBalance(err: BalanceError): AdminError {
  switch (err.code) {
    case BalanceCode.ACCOUNT_NOT_FOUND:
      return new AdminError('ACCOUNT_NOT_FOUND', err.message);
    case BalanceCode.INSUFFICIENT_FUNDS:
      return new AdminError('INSUFFICIENT_FUNDS', err.message);
    case BalanceCode.INVALID_ARGUMENT:
      return /would pass/.test(err.detail)
        ? new AdminError('AMOUNT_TOO_LARGE', err.detail)
        : validationError([{ field: 'body', reason: err.detail || err.message }]);
    default:
      return new AdminError('BALANCE_REFUSED', err.message);
  }
}

/** ioredis refusing a command because the connection is down (MaxRetriesPerRequestError, closed). */
function isRedisDown(err: Error): boolean {
  return (
    err.name === 'MaxRetriesPerRequestError' ||
    /Connection is closed|Stream isn't writeable|ECONNREFUSED/.test(err.message)
  );
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
    if (VPN_CODES.includes(err.code)) return new AdminError(err.code, err.reason);
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
    }
    if (err instanceof SyntaxError && fastify.statusCode === 400)
      return new AdminError('INVALID_JSON', err.message);
    if (isRedisDown(err)) return new AdminError('STORE_UNAVAILABLE', 'Redis cannot be reached; try again');
  }
  return new AdminError('INTERNAL', 'internal error; the server logged it');
}
