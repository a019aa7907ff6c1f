import { ResultCode } from './result-codes.js';

/**
 * The one catalogue of the server's domain errors. Each has a stable code (what clients and
 * tests match on), a title saying what it means whatever the case at hand, and where it can
 * reach the outside: the Result-Code a Credit-Control-Answer carries (RFC 4006 §9, RFC 6733
 * §7.1) and the HTTP status the admin API answers with. The balance scripts' codes
 * (BalanceCode) and the VPN refusals (VpnErrorCode) are named after entries of this table, so
 * that the Diameter answers and the admin API read the same entry for the same cause.
 */
export interface CatalogueEntry {
  title: string;
  /** The Result-Code of a CCA refused for this cause; absent: not a refusal (a fault, 5012). */
  resultCode?: number;
  /** The admin API's status for this cause; absent: the API answers it as a generic refusal. */
  status?: number;
}

export const ERRORS = {
  // Accounts and their money (the balance scripts' codes, lua/includes/codes.lua).
  ACCOUNT_NOT_FOUND: {
    title: 'no account with this MSISDN',
    resultCode: ResultCode.USER_UNKNOWN,
    status: 404,
  },
  ACCOUNT_BLOCKED: { title: 'the account is blocked', resultCode: ResultCode.END_USER_SERVICE_DENIED },
  ACCOUNT_LOST: { title: 'the account is reported lost', resultCode: ResultCode.END_USER_SERVICE_DENIED },
  ACCOUNT_EXPIRED: {
    title: 'the account is past its validity date',
    resultCode: ResultCode.END_USER_SERVICE_DENIED,
  },
  BELOW_MIN_THRESHOLD: {
    title: 'the balance is below the minimum threshold',
    resultCode: ResultCode.CREDIT_LIMIT_REACHED,
  },
  CREDIT_LIMIT_REACHED: {
    title: 'not one more unit can be paid for',
    resultCode: ResultCode.CREDIT_LIMIT_REACHED,
  },
  INSUFFICIENT_FUNDS: {
    title: 'the amount cannot be paid in full; nothing was charged or stored',
    resultCode: ResultCode.CREDIT_LIMIT_REACHED,
    status: 422,
  },
  ACCOUNT_POSTPAID: {
    title: 'the account is postpaid: credit control does not apply',
    resultCode: ResultCode.CREDIT_CONTROL_NOT_APPLICABLE,
  },
  RESERVATION_NOT_FOUND: { title: 'the session holds no reservation for the rating group' },
  RESERVATION_EXISTS: { title: 'the session already holds a reservation for the rating group' },
  INVALID_ARGUMENT: { title: 'the balance store refused an argument' },
  GUARD_FAILED: { title: 'another writer changed the session first; nothing was changed' },
  DEADLINE_PASSED: {
    title: "Redis ran the request's charge after its deadline, when its answer had gone; nothing was changed",
    resultCode: ResultCode.UNABLE_TO_COMPLY,
  },
  // A refund naming a charge (TS 32.299 Refund-Information): denied as a service (RFC 4006 §9).
  CHARGE_UNKNOWN: {
    title: 'the refund names no charge of this account: unknown, of another account, or no longer kept',
    resultCode: ResultCode.END_USER_SERVICE_DENIED,
  },
  REFUND_ABOVE_CHARGE: {
    title: 'the refund is above what the charge it names took, less what was refunded against it',
    resultCode: ResultCode.END_USER_SERVICE_DENIED,
  },

  // Credit control (Diameter only).
  SUBSCRIPTION_ID_MISSING: {
    title: 'the request names no Subscription-Id',
    resultCode: ResultCode.MISSING_AVP,
  },
  SUBSCRIBER_UNKNOWN: {
    title: 'no Subscription-Id names a known subscriber',
    resultCode: ResultCode.USER_UNKNOWN,
  },
  SESSION_UNKNOWN: {
    title: 'no open session has this Session-Id',
    resultCode: ResultCode.UNKNOWN_SESSION_ID,
  },
  REQUEST_OUT_OF_ORDER: {
    title: "the CC-Request-Number is not after the session's last",
    resultCode: ResultCode.INVALID_AVP_VALUE,
  },
  SERVICE_NOT_CHARGED: {
    title: 'the Service-Context-Id names a service this server does not charge',
    resultCode: ResultCode.RATING_FAILED,
  },
  UNITS_MISSING: {
    title: 'the Requested-Action needs a Requested-Service-Unit saying how much',
    resultCode: ResultCode.MISSING_AVP,
  },
  UNITS_NOT_RATED: {
    title: 'the Requested-Service-Unit names no unit the service is rated in',
    resultCode: ResultCode.RATING_FAILED,
  },
  REFUND_NOT_ALLOWED: {
    title: 'the peer may not credit money: it is not among the refund peers of the charging settings',
    resultCode: ResultCode.END_USER_SERVICE_DENIED,
  },
  REFUND_TOO_LARGE: {
    title: 'the refund is above the most one request may credit (refunds.maxPerRequest)',
    resultCode: ResultCode.END_USER_SERVICE_DENIED,
  },
  UNITS_INVALID: {
    title: 'a Used-Service-Unit reports more units than the store can count',
    resultCode: ResultCode.INVALID_AVP_VALUE,
  },
  MONEY_INVALID: {
    title: 'the CC-Money is negative, finer than the currency minor unit, or too large',
    resultCode: ResultCode.INVALID_AVP_VALUE,
  },

  // Rating.
  RATING_FAILED: { title: 'no tariff, or no price for the service', resultCode: ResultCode.RATING_FAILED },
  VPN_AUTHENTICATION_FAILED: {
    title: 'a short number that no VPN group of the caller has (DESIGN §2)',
    resultCode: ResultCode.END_USER_SERVICE_DENIED,
  },
  DESTINATION_BARRED: {
    title: 'the called number is in a destination the tariff bars (DESIGN §3); nothing was frozen',
    resultCode: ResultCode.END_USER_SERVICE_DENIED,
  },

  // VPN groups, members, packages and activations (src/vpn/errors.ts).
  INVALID: {
    title: 'the request does not have the shape of a group, member, package or activation',
    status: 422,
  },
  GROUP_NOT_FOUND: { title: 'no VPN group with this id', status: 404 },
  PACKAGE_NOT_FOUND: { title: 'no VPN package with this id', status: 404 },
  MEMBER_NOT_FOUND: { title: 'the number is not a member of the group', status: 404 },
  ACTIVATION_NOT_FOUND: { title: 'the number has no VPN package activation', status: 404 },
  SHORT_NUMBER_LENGTH: {
    title: "a short number has exactly the group's extension length (ZTE S206)",
    status: 422,
  },
  SHORT_NUMBER_TAKEN: { title: 'the short number is taken in the group (ZTE S206)', status: 409 },
  ALREADY_MEMBER: { title: 'the number is in the group already, with other details', status: 409 },
  GROUP_FULL: { title: 'the group has its maximum number of members (ZTE S201)', status: 409 },
  BELONGS_ELSEWHERE: {
    title: 'the number belongs to another group; a number belongs to one group only (ZTE S203/S204)',
    status: 409,
  },
  UNKNOWN_ACCOUNT: {
    title: 'a belonging member, or an activation, needs an account of this OCS',
    status: 422,
  },
  NOT_PREPAID: { title: 'only a prepaid account may belong to a group or activate (ZTE S208)', status: 422 },
  NOT_BELONGING: { title: 'only a belonging member may activate a VPN package (ZTE S302)', status: 422 },
  CHARGE_REFUSED: { title: 'the balance store refused the functional fee', status: 422 },
  EXTENSION_LENGTH_LOCKED: {
    title: 'the group has members: its extension length cannot change',
    status: 409,
  },
  MAX_MEMBERS_BELOW_COUNT: { title: 'the group has more members than the new maximum', status: 409 },
  BUSY: { title: 'another request is changing the same account or VPN function; try again', status: 409 },

  // The admin API.
  VALIDATION_FAILED: {
    title: 'the request breaks its schema; `problems` names each field and why',
    status: 400,
  },
  INVALID_JSON: { title: 'the body is not valid JSON', status: 400 },
  UNAUTHORIZED: { title: 'no bearer token, or not one of the configured tokens', status: 401 },
  INSUFFICIENT_SCOPE: { title: 'the token is read-only and the route changes something', status: 403 },
  ROUTE_NOT_FOUND: { title: 'no such route', status: 404 },
  SESSION_NOT_OPEN: {
    title: 'the account has no open credit-control session with this Session-Id',
    status: 404,
  },
  NETWORK_REQUESTS_UNAVAILABLE: {
    title: 'this process has no Diameter side to send Re-Auth or Abort-Session requests from',
    status: 503,
  },
  METHOD_NOT_ALLOWED: {
    title: 'the path exists, not with this method; `Allow` lists its methods',
    status: 405,
  },
  TARIFF_NOT_FOUND: { title: 'no tariff with this id', status: 404 },
  BUNDLE_NOT_FOUND: { title: 'no bundle with this id is on sale', status: 404 },
  ACCOUNT_EXISTS: { title: 'an account with this MSISDN exists already', status: 409 },
  ALIAS_TAKEN: { title: 'the IMSI or NAI already names another account', status: 409 },
  REFERENCE_REUSED: {
    title: 'the reference was used for another amount, bucket or bundle of this account',
    status: 409,
  },
  POSTPAID_MEMBER: {
    title: 'the account belongs to a VPN group, which only a prepaid account may (ZTE S208)',
    status: 409,
  },
  PAYLOAD_TOO_LARGE: { title: 'the body is larger than the server accepts', status: 413 },
  UNSUPPORTED_MEDIA_TYPE: { title: 'the body must be application/json', status: 415 },
  RATE_LIMITED: {
    title: 'too many requests from this token or address in the window; `Retry-After` says when to retry',
    status: 429,
  },
  UNKNOWN_TARIFF: { title: 'the tariff named is not provisioned', status: 422 },
  CURRENCY_MISMATCH: {
    title: "the tariff's currency is not the account's: money cannot change currency",
    status: 422,
  },
  AMOUNT_TOO_LARGE: { title: 'the bucket would pass the largest amount the store keeps', status: 422 },
  DOCUMENT_REJECTED: {
    title: 'the provisioning document breaks a rule; `problems` names each; nothing was applied',
    status: 422,
  },
  BALANCE_REFUSED: { title: 'the balance store refused the operation', status: 422 },
  INTERNAL: { title: 'a fault of the server; it is logged', status: 500 },
  ADMIN_DISABLED: { title: 'no admin token is configured (ADMIN_TOKEN or ADMIN_TOKENS)', status: 503 },
  OVERLOADED: {
    title: 'the server sheds admin requests to keep charging going; `Retry-After` says when to retry',
    status: 503,
  },
  STORE_UNAVAILABLE: {
    title: 'Redis cannot be reached; nothing was changed',
    resultCode: ResultCode.UNABLE_TO_COMPLY,
    status: 503,
  },
} as const satisfies Record<string, CatalogueEntry>;

export type ErrorCode = keyof typeof ERRORS;

/** The entry of a code, read as the general shape (every field optional but the title). */
export function entryOf(code: ErrorCode): CatalogueEntry {
  return ERRORS[code];
}

/** The code named `name` if the catalogue has it (BalanceCode names, for one). */
export function catalogueCode(name: string): ErrorCode | undefined {
  return Object.hasOwn(ERRORS, name) ? (name as ErrorCode) : undefined;
}

/** Every Result-Code a refusal of the catalogue is answered with, each once. */
export function refusalResultCodes(): number[] {
  const codes = (Object.values(ERRORS) as CatalogueEntry[]).flatMap((e) => e.resultCode ?? []);
  return [...new Set(codes)];
}
