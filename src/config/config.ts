import { parseAllowedPeer } from '../diameter/peer/allow-list.js';
import { isIP } from 'node:net';
import { z } from 'zod';
import { DEFAULT_MAX_IN_FLIGHT } from '../diameter/admission.js';
import { adminLimits, adminLimitVariables, type AdminLimits } from './admin-limits.js';
import type { DiameterTlsOptions } from '../diameter/tls.js';
import { diameterTls, diameterTlsVariables } from './diameter-tls.js';
import { withRedisPassword } from './redis-password.js';
import { wholeNumber } from './whole-number.js';

/**
 * Server configuration, read from the environment once at start. Every variable is listed in
 * README.md; a bad value stops the start with a message naming the variable and the reason.
 */
export interface Config {
  diameter: {
    host: string;
    port: number;
    originHost: string;
    originRealm: string;
    /** Tw of RFC 3539 §3.4.1: idle time before we send a DWR; a peer silent for 2·Tw is dropped. */
    watchdogMs: number;
    /** Diameter identities allowed to connect; empty allows any peer that shares an application. */
    allowedPeers: string[];
    /** Largest message we accept; a longer header length is a framing error (3009). */
    maxMessageBytes: number;
    /** Requests in progress across all peers before new ones are answered 3004 TOO_BUSY. */
    maxInFlight: number;
    /** DIAMETER_TLS_*: a TLS listener beside TCP (RFC 6733 §2.1, §13); undefined without its port. */
    tls: DiameterTlsOptions | undefined;
  };
  http: { host: string; port: number };
  /** REDIS_URL, with REDIS_PASSWORD written into each of its URLs when it is set. */
  redisUrl: string | undefined;
  /**
   * Deadline of each Redis command on the call path and of a CCR's balance script, well under
   * the client's Tx timer (RFC 4006 §13): past it the CCR is answered 5012 instead of hanging.
   */
  redisCommandTimeoutMs: number;
  /** ADMIN_TOKEN: one read-write token of the admin API. */
  adminToken: string | undefined;
  /** ADMIN_TOKENS: named tokens of the admin API, each read-only or read-write. */
  adminTokens: AdminTokenConfig[];
  /** METRICS_TOKEN: when set, /metrics needs it as a bearer token. */
  metricsToken: string | undefined;
  /** ADMIN_RATE_LIMIT_* and ADMIN_SHED_*: rate limit and load shedding of the admin API. */
  adminLimits: AdminLimits;
  /**
   * CONFIG_CACHE_TTL_MS: longest time an instance keeps a cached tariff or VPN entry, so a
   * change whose pub/sub message was lost still reaches it (DESIGN §5).
   */
  configCacheTtlMs: number;
  /**
   * SHUTDOWN_TIMEOUT_MS: longest time from SIGTERM to exit. Requests in progress are answered and
   * every peer gets its DPR within it; whatever is left at its end is cut off.
   */
  shutdownTimeoutMs: number;
  /** Re-Auth and Abort-Session requests to clients (docs/network-requests.md). */
  networkRequests: {
    /** INSTANCE_ID: this instance among those sharing the Redis; default the host name and random characters. */
    instanceId: string | undefined;
    /** ASR_CLOSE_TIMEOUT_MS: a session sent an ASR and without CCR-T this long is closed here. */
    abortCloseMs: number;
    /** NETWORK_REQUEST_TIMEOUT_MS: how long each attempt of a RAR or ASR waits for its answer. */
    answerTimeoutMs: number;
    /** NETWORK_REQUEST_ATTEMPTS: attempts of a RAR or ASR unanswered or answered with a transient error. */
    attempts: number;
  };
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /**
   * VPN_MONTHLY_RUN: `auto`, the servers run the monthly VPN run themselves, once across
   * instances, early in each month (src/server/vpn-monthly-schedule.ts); `off`, a scheduler runs
   * `ocs vpn-monthly`.
   */
  vpnMonthlyRun: 'off' | 'auto';
}

/** A token of the admin API: `read` may call GET routes, `write` every route. */
export interface AdminTokenConfig {
  /** Names the caller in logs; never the token itself. */
  name: string;
  scope: 'read' | 'write';
  token: string;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

// RFC 6733 §4.3.1: DiameterIdentity is an FQDN; we accept the usual host-name characters.
const diameterIdentity = z
  .string()
  .min(1)
  .max(255)
  .regex(/^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$/, {
    message: 'must be a host name (letters, digits, hyphens, dots), e.g. ocs.operator.net',
  });

/** `host` or `host@address[/prefix]` (src/diameter/peer/allow-list.ts). */
const allowedPeer = z.string().superRefine((entry, ctx) => {
  const parsed = parseAllowedPeer(entry);
  if (typeof parsed === 'string') ctx.addIssue({ code: 'custom', message: `${entry}: ${parsed}` });
  else if (!diameterIdentity.safeParse(parsed.host).success)
    ctx.addIssue({ code: 'custom', message: `${entry}: ${parsed.host} is not a host name` });
});

const port = z.coerce
  .number({ message: 'must be a number' })
  .int({ message: 'must be a whole number' })
  .min(0, { message: 'must be between 0 and 65535' })
  .max(65535, { message: 'must be between 0 and 65535' });

const listenHost = z.string().refine((v) => isIP(v) !== 0 || v === 'localhost', {
  message: 'must be an IP address to listen on, e.g. 0.0.0.0 or 127.0.0.1',
});

const token = z
  .string()
  .min(16, { message: 'must be at least 16 characters' })
  .regex(/^[\x21-\x7e]+$/, { message: 'must be printable ASCII without spaces' });

/** `name:scope:token,...`; a problem names the entry by position and name, never by its token. */
const adminTokens = z
  .string()
  .default('')
  .transform((value, ctx): AdminTokenConfig[] => {
    const entries = value
      .split(',')
      .map((e) => e.trim())
      .filter((e) => e.length > 0);
    const names = new Set<string>();
    const tokens = new Set<string>();
    return entries.flatMap((entry, i) => {
      const [name = '', scope = '', ...rest] = entry.split(':');
      const secret = rest.join(':');
      // An entry without two colons may be a bare token: it is named by its position only.
      const at = `entry ${i + 1}${rest.length > 0 && /^[A-Za-z0-9_.-]{1,64}$/.test(name) ? ` (${name})` : ''}`;
      const problems: string[] = [];
      if (rest.length === 0) problems.push('must be name:scope:token');
      else {
        if (!/^[A-Za-z0-9_.-]{1,64}$/.test(name))
          problems.push('the name must be 1 to 64 letters, digits, . _ or -');
        else if (names.has(name)) problems.push(`the name ${name} appears twice`);
        if (scope !== 'read' && scope !== 'write') problems.push("the scope must be 'read' or 'write'");
        const checked = token.safeParse(secret);
        if (!checked.success) problems.push(`the token ${checked.error.issues[0]?.message ?? 'is invalid'}`);
        else if (tokens.has(secret)) problems.push('the token is the same as an earlier entry');
      }
      names.add(name);
      tokens.add(secret);
      for (const message of problems) ctx.addIssue({ code: 'custom', message: `${at}: ${message}` });
      return problems.length ? [] : [{ name, scope: scope as 'read' | 'write', token: secret }];
    });
  });

/** Variables whose values are secrets: a problem with one never prints the value. */
const SECRETS = new Set(['ADMIN_TOKEN', 'ADMIN_TOKENS', 'METRICS_TOKEN', 'REDIS_PASSWORD']);

const schema = z.object({
  DIAMETER_HOST: listenHost.default('0.0.0.0'),
  DIAMETER_PORT: port.default(3868),
  ORIGIN_HOST: diameterIdentity.default('ocs.localdomain'),
  ORIGIN_REALM: diameterIdentity.default('localdomain'),
  DIAMETER_WATCHDOG_MS: z.coerce
    .number()
    .int()
    .min(6000, { message: 'must be at least 6000 (RFC 3539)' })
    .default(30000),
  DIAMETER_ALLOWED_PEERS: z
    .string()
    .default('')
    .transform((v) =>
      v
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s.length > 0),
    )
    .pipe(z.array(allowedPeer)),
  DIAMETER_MAX_MESSAGE_BYTES: z.coerce.number().int().min(4096).max(16_777_215).default(65536),
  DIAMETER_MAX_IN_FLIGHT: wholeNumber(1, 1_000_000).default(DEFAULT_MAX_IN_FLIGHT),
  ...diameterTlsVariables(port),
  HTTP_HOST: listenHost.default('0.0.0.0'),
  HTTP_PORT: port.default(8080),
  REDIS_URL: z
    .string()
    .refine((v) => v.split(',').every((u) => /^rediss?:\/\/[^\s]+$/.test(u.trim())), {
      message: 'must be a redis:// or rediss:// URL, or a comma-separated list of them for Redis Cluster',
    })
    .optional(),
  REDIS_PASSWORD: z.string().optional(),
  REDIS_COMMAND_TIMEOUT_MS: wholeNumber(10, 60_000).default(1000),
  ADMIN_TOKEN: token.optional(),
  ADMIN_TOKENS: adminTokens,
  METRICS_TOKEN: token.optional(),
  ...adminLimitVariables,
  CONFIG_CACHE_TTL_MS: wholeNumber(1, 3_600_000).default(30_000),
  SHUTDOWN_TIMEOUT_MS: wholeNumber(100, 600_000).default(10_000),
  INSTANCE_ID: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,64}$/, { message: 'must be 1 to 64 letters, digits, . _ or -' })
    .optional(),
  ASR_CLOSE_TIMEOUT_MS: wholeNumber(100, 600_000).default(10_000),
  NETWORK_REQUEST_TIMEOUT_MS: wholeNumber(100, 60_000).default(3000),
  NETWORK_REQUEST_ATTEMPTS: wholeNumber(1, 10).default(3),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  VPN_MONTHLY_RUN: z.enum(['off', 'auto'], { message: "must be 'off' or 'auto'" }).default('off'),
});

/** Reads and validates the configuration; throws ConfigError listing every bad variable at once. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = schema.safeParse(present);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => {
        const name = String(issue.path[0]);
        const value = SECRETS.has(name) ? '(hidden)' : JSON.stringify(present[name] ?? '');
        return `${issue.path.join('.')}=${value}: ${issue.message}`;
      }),
    );
  }
  const e = parsed.data;
  const tls = diameterTls(e);
  if (tls.problems.length > 0) throw new ConfigError(tls.problems);
  const redis = withRedisPassword(e.REDIS_URL, e.REDIS_PASSWORD);
  if (redis.problems.length > 0) throw new ConfigError(redis.problems);
  return {
    diameter: {
      host: e.DIAMETER_HOST,
      port: e.DIAMETER_PORT,
      originHost: e.ORIGIN_HOST,
      originRealm: e.ORIGIN_REALM,
      watchdogMs: e.DIAMETER_WATCHDOG_MS,
      allowedPeers: e.DIAMETER_ALLOWED_PEERS,
      maxMessageBytes: e.DIAMETER_MAX_MESSAGE_BYTES,
      maxInFlight: e.DIAMETER_MAX_IN_FLIGHT,
      tls: tls.options,
    },
    http: { host: e.HTTP_HOST, port: e.HTTP_PORT },
    redisUrl: redis.url,
    redisCommandTimeoutMs: e.REDIS_COMMAND_TIMEOUT_MS,
    adminToken: e.ADMIN_TOKEN,
    adminTokens: e.ADMIN_TOKENS,
    metricsToken: e.METRICS_TOKEN,
    adminLimits: adminLimits(e),
    configCacheTtlMs: e.CONFIG_CACHE_TTL_MS,
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    networkRequests: {
      instanceId: e.INSTANCE_ID,
      abortCloseMs: e.ASR_CLOSE_TIMEOUT_MS,
      answerTimeoutMs: e.NETWORK_REQUEST_TIMEOUT_MS,
      attempts: e.NETWORK_REQUEST_ATTEMPTS,
    },
    logLevel: e.LOG_LEVEL,
    vpnMonthlyRun: e.VPN_MONTHLY_RUN,
  };
}
