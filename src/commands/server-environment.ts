import { DEFAULT_MAX_IN_FLIGHT } from '../diameter/admission.js';

/** The server's environment variables as `--help` lists them; README "Configuration" says more. */
export const SERVER_ENVIRONMENT = [
  ['DIAMETER_HOST', 'address the Diameter listener binds (default 0.0.0.0)'],
  ['DIAMETER_PORT', 'Diameter TCP port (default 3868)'],
  ['ORIGIN_HOST', 'our Diameter identity (default ocs.localdomain)'],
  ['ORIGIN_REALM', 'our realm (default localdomain)'],
  ['DIAMETER_WATCHDOG_MS', 'Tw of RFC 3539: idle time before a DWR (default 30000)'],
  [
    'DIAMETER_ALLOWED_PEERS',
    'comma-separated Origin-Hosts allowed to connect, host or host@network (default any)',
  ],
  ['DIAMETER_MAX_MESSAGE_BYTES', 'longer messages are a framing error (default 65536)'],
  ['DIAMETER_MAX_IN_FLIGHT', `requests in progress before 3004 TOO_BUSY (default ${DEFAULT_MAX_IN_FLIGHT})`],
  ['DIAMETER_TLS_PORT', 'Diameter over TLS port, e.g. 5658, beside TCP (default: no TLS listener)'],
  ['DIAMETER_TLS_CERT', 'PEM file of our certificate and its chain (needed with DIAMETER_TLS_PORT)'],
  ['DIAMETER_TLS_KEY', 'PEM file of its private key (needed with DIAMETER_TLS_PORT)'],
  ['DIAMETER_TLS_CA', 'PEM file of the CAs of peer certificates; set, peers must present one'],
  ['DIAMETER_TLS_MATCH_ORIGIN_HOST', 'true: a CER Origin-Host not named by the certificate gets 3010'],
  ['HTTP_HOST', 'address of the HTTP listener (default 0.0.0.0)'],
  ['HTTP_PORT', 'HTTP port (default 8080)'],
  [
    'REDIS_URL',
    'redis://host:port, or a comma-separated list of cluster nodes (default: a private redis-server, if installed)',
  ],
  ['REDIS_PASSWORD', 'password of the Redis in REDIS_URL, kept out of the URL (default: none)'],
  [
    'REDIS_COMMAND_TIMEOUT_MS',
    'deadline of a Redis command on the call path; past it a CCR gets 5012 (default 1000)',
  ],
  ['ADMIN_TOKEN', 'bearer token of the admin API, 16 characters or more (default: admin API off)'],
  ['ADMIN_TOKENS', 'more admin tokens: name:scope:token,... with scope read or write'],
  ['METRICS_TOKEN', 'when set, /metrics needs it as a bearer token'],
  [
    'ADMIN_RATE_LIMIT_MAX',
    'admin API requests per window per token (per address without a known token); 0: no limit (default 3000)',
  ],
  ['ADMIN_RATE_LIMIT_WINDOW_SECONDS', 'the window of ADMIN_RATE_LIMIT_MAX; past it, 429 (default 60)'],
  [
    'ADMIN_SHED_EVENT_LOOP_DELAY_MS',
    'mean event-loop delay above which admin API requests get 503; 0: off (default 1000)',
  ],
  [
    'ADMIN_SHED_EVENT_LOOP_UTILIZATION',
    'event-loop utilization, 0 to 1, above which they get 503; 0: off (default 0)',
  ],
  ['ADMIN_SHED_HEAP_USED_MB', 'V8 heap in use above which they get 503; 0: off (default 0)'],
  ['ADMIN_SHED_RETRY_AFTER_SECONDS', 'Retry-After of a shed admin request (default 10)'],
  ['CONFIG_CACHE_TTL_MS', 'longest time a cached tariff or VPN entry is kept (default 30000)'],
  [
    'SHUTDOWN_TIMEOUT_MS',
    'longest time from SIGTERM to exit: requests in progress answered, DPR to every peer (default 10000)',
  ],
  ['LOG_LEVEL', 'fatal, error, warn, info, debug, trace or silent (default info)'],
  [
    'VPN_MONTHLY_RUN',
    'auto: the servers run the monthly VPN run themselves, once across instances, in the first hour of a month; off: a scheduler runs ocs vpn-monthly (default off)',
  ],
  ['CHARGING_CONFIG', 'YAML file of charging settings (default built-in)'],
  ['EXPORT_ENABLED', 'true: CDRs and ledger leave Redis for files, one instance at a time (default false)'],
  [
    'EXPORT_DIR',
    'directory of the exported files (default /var/lib/ocs/export); docs/export.md has the rest',
  ],
] as const;
