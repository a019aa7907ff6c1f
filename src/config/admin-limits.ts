import { z } from 'zod';
import { wholeNumber } from './whole-number.js';

/**
 * ADMIN_RATE_LIMIT_* and ADMIN_SHED_*: how much of the process the admin API may take. The
 * server's first duty is to answer Credit-Control-Requests within the client's Tx timer
 * (RFC 4006 §13); a script looping on the admin API, or an admin call arriving while the
 * event loop is already late, must not delay them. A value of 0 turns its check off.
 */
export interface AdminLimits {
  /** Requests per window per token (an unknown or missing token: per client address); 0: no limit. */
  rateLimitMax: number;
  rateLimitWindowMs: number;
  /** Mean event-loop delay over a sample above which /v1 is shed with 503; 0: not checked. */
  shedEventLoopDelayMs: number;
  /** Event-loop utilization (0 to 1) above which /v1 is shed; 0: not checked. */
  shedEventLoopUtilization: number;
  /** V8 heap in use above which /v1 is shed; 0: not checked. */
  shedHeapUsedBytes: number;
  /** The Retry-After of a shed request, in seconds. */
  shedRetryAfterSeconds: number;
}

export const DEFAULT_ADMIN_LIMITS: AdminLimits = {
  rateLimitMax: 3000,
  rateLimitWindowMs: 60_000,
  shedEventLoopDelayMs: 1000,
  shedEventLoopUtilization: 0,
  shedHeapUsedBytes: 0,
  shedRetryAfterSeconds: 10,
};

const fraction = z
  .string()
  .regex(/^(0(\.\d{1,6})?|1(\.0{1,6})?)$/, { message: 'must be a number from 0 to 1, e.g. 0.98 (0: off)' })
  .transform(Number);

/** The variables, for the server's environment schema. */
export const adminLimitVariables = {
  ADMIN_RATE_LIMIT_MAX: wholeNumber(0, 1_000_000).default(DEFAULT_ADMIN_LIMITS.rateLimitMax),
  ADMIN_RATE_LIMIT_WINDOW_SECONDS: wholeNumber(1, 86_400).default(
    DEFAULT_ADMIN_LIMITS.rateLimitWindowMs / 1000,
  ),
  ADMIN_SHED_EVENT_LOOP_DELAY_MS: wholeNumber(0, 60_000).default(DEFAULT_ADMIN_LIMITS.shedEventLoopDelayMs),
  ADMIN_SHED_EVENT_LOOP_UTILIZATION: fraction.default(DEFAULT_ADMIN_LIMITS.shedEventLoopUtilization),
  ADMIN_SHED_HEAP_USED_MB: wholeNumber(0, 1_048_576).default(0),
  ADMIN_SHED_RETRY_AFTER_SECONDS: wholeNumber(1, 3600).default(DEFAULT_ADMIN_LIMITS.shedRetryAfterSeconds),
};

type Parsed = { [K in keyof typeof adminLimitVariables]: z.output<(typeof adminLimitVariables)[K]> };

export function adminLimits(e: Parsed): AdminLimits {
  return {
    rateLimitMax: e.ADMIN_RATE_LIMIT_MAX,
    rateLimitWindowMs: e.ADMIN_RATE_LIMIT_WINDOW_SECONDS * 1000,
    shedEventLoopDelayMs: e.ADMIN_SHED_EVENT_LOOP_DELAY_MS,
    shedEventLoopUtilization: e.ADMIN_SHED_EVENT_LOOP_UTILIZATION,
    shedHeapUsedBytes: e.ADMIN_SHED_HEAP_USED_MB * 1024 * 1024,
    shedRetryAfterSeconds: e.ADMIN_SHED_RETRY_AFTER_SECONDS,
  };
}
