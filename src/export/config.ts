/**
 * The exporter's configuration, from the environment (docs/export.md lists every variable). A bad
 * value stops the start with the variable's name and the reason, as the server's own do.
 */
import { hostname } from 'node:os';
import { z } from 'zod';
import { ConfigError } from '../config/config.js';

export const CDR_FORMATS = ['jsonl', 'csv', 'both'] as const;
export type CdrFormat = (typeof CDR_FORMATS)[number];

export interface ExportConfig {
  /** EXPORT_ENABLED: `ocs serve` exports (one instance at a time, chosen through Redis). */
  enabled: boolean;
  /** EXPORT_DIR: where the files go. */
  dir: string;
  /** EXPORT_INSTANCE: in every file name, so that instances never write the same name. */
  instance: string;
  /** EXPORT_CDR_FORMAT: CDR files as JSON lines, CSV, or both. */
  cdrFormat: CdrFormat;
  /** EXPORT_FILE_MAX_BYTES: a file is closed and compressed once it holds this much. */
  fileMaxBytes: number;
  /** EXPORT_FILE_MAX_SECONDS: and at the latest this long after its first record. */
  fileMaxSeconds: number;
  /** EXPORT_KEEP_SECONDS: how long exported entries stay in Redis (the admin API's window). */
  keepSeconds: number;
  /** EXPORT_INTERVAL_MS: time between two passes of `ocs serve`'s exporter. */
  intervalMs: number;
  /** EXPORT_LOCK_TTL_MS: the leader's lock lives this long unless renewed. */
  lockTtlMs: number;
}

export const DEFAULT_EXPORT_DIR = '/var/lib/ocs/export';

const integer = (min: number, max: number, fallback: number) =>
  z.coerce.number().int().min(min).max(max).default(fallback);

const schema = z.object({
  EXPORT_ENABLED: z.enum(['true', 'false']).default('false'),
  EXPORT_DIR: z.string().min(1).default(DEFAULT_EXPORT_DIR),
  EXPORT_INSTANCE: z
    .string()
    .regex(
      /^[A-Za-z0-9._]{1,64}$/,
      '1 to 64 letters, digits, dots or underscores (no dash: it separates the name)',
    )
    .optional(),
  EXPORT_CDR_FORMAT: z.enum(CDR_FORMATS).default('jsonl'),
  EXPORT_FILE_MAX_BYTES: integer(4096, 2 ** 40, 64 * 1024 * 1024),
  EXPORT_FILE_MAX_SECONDS: integer(1, 86_400, 300),
  EXPORT_KEEP_SECONDS: integer(0, 30 * 86_400, 600),
  EXPORT_INTERVAL_MS: integer(10, 600_000, 1000),
  EXPORT_LOCK_TTL_MS: integer(1000, 600_000, 15_000),
});

/** The host name, made a valid instance name (a pod's name in Kubernetes). */
function defaultInstance(): string {
  return (
    hostname()
      .replace(/[^A-Za-z0-9._]/g, '_')
      .slice(0, 64) || 'ocs'
  );
}

export function loadExportConfig(env: NodeJS.ProcessEnv): ExportConfig {
  const picked = Object.fromEntries(
    Object.keys(schema.shape).flatMap((k) => (env[k] === undefined || env[k] === '' ? [] : [[k, env[k]]])),
  );
  const parsed = schema.safeParse(picked);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${String(i.path[0])}: ${i.message}`));
  }
  const v = parsed.data;
  return {
    enabled: v.EXPORT_ENABLED === 'true',
    dir: v.EXPORT_DIR,
    instance: v.EXPORT_INSTANCE ?? defaultInstance(),
    cdrFormat: v.EXPORT_CDR_FORMAT,
    fileMaxBytes: v.EXPORT_FILE_MAX_BYTES,
    fileMaxSeconds: v.EXPORT_FILE_MAX_SECONDS,
    keepSeconds: v.EXPORT_KEEP_SECONDS,
    intervalMs: v.EXPORT_INTERVAL_MS,
    lockTtlMs: v.EXPORT_LOCK_TTL_MS,
  };
}
