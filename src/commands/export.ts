import type { ExportConfig } from '../export/config.js';
import { readArgs, type ArgSpec } from './arguments.js';
import { defineCommand } from './define.js';
import { requiredRedisUrl, type RedisNeeds } from './redis-needs.js';

const ARGS = {
  flags: {
    dir: { type: 'string', value: 'DIR', meaning: 'the directory of the files (default EXPORT_DIR)' },
  },
} as const satisfies ArgSpec;

export interface ExportArgs {
  dir?: string | undefined;
}

export interface ExportNeeds extends RedisNeeds {
  config: ExportConfig;
}

export const EXPORT_ENVIRONMENT = [
  ['REDIS_URL', 'the Redis the servers use (required)'],
  ['EXPORT_DIR', 'the directory of the files (default /var/lib/ocs/export)'],
  ['EXPORT_INSTANCE', 'the name in the files, unique per instance (default the host name)'],
  ['EXPORT_CDR_FORMAT', 'jsonl, csv or both (default jsonl)'],
  ['EXPORT_KEEP_SECONDS', 'how long exported entries stay in Redis (default 600)'],
] as const;

export const exportCommand = defineCommand<ExportArgs, ExportNeeds>({
  name: 'export',
  usage: 'export [--dir DIR]',
  summary: 'CDRs and ledger entries written so far, to files, once (ocs export --help)',
  args: ARGS,
  help: {
    synopsis: ['export [--dir DIR]'],
    description:
      'Moves every CDR and ledger entry written until it starts out of Redis into files, as the ' +
      'exporter of `ocs serve` does (EXPORT_ENABLED=true), and exits: JSON lines (CDRs also as ' +
      'CSV with EXPORT_CDR_FORMAT), gzip-compressed, each record once (docs/export.md). It first ' +
      'finishes the files an interrupted run left. It takes the same lock as the servers: while ' +
      'an instance exports it refuses to run (exit code 1). Exported entries older than ' +
      'EXPORT_KEEP_SECONDS are then trimmed from Redis.',
    environment: EXPORT_ENVIRONMENT,
    examples: ['EXPORT_DIR=/srv/cdr ocs export'],
  },
  parse(args) {
    const { values } = readArgs('export', args, ARGS);
    return { dir: values.dir };
  },
  async configure(env) {
    const [{ redisNeeds }, { loadExportConfig }] = await Promise.all([
      import('./redis-needs.js'),
      import('../export/config.js'),
    ]);
    return { ...(await redisNeeds(env)), config: loadExportConfig(env) };
  },
  async execute(args, needs) {
    const [{ connectRedis }, { exportOnce, ExportBusyError }, { createLogger }] = await Promise.all([
      import('../redis/connect.js'),
      import('../export/export-once.js'),
      import('../logging.js'),
    ]);
    const config = { ...needs.config, ...(args.dir ? { dir: args.dir } : {}) };
    const redis = connectRedis(await requiredRedisUrl(needs, 'for ocs export'));
    try {
      const result = await exportOnce({ redis, config, logger: createLogger('warn') });
      console.error(
        `ocs export: ${result.records.cdr} CDRs and ${result.records.ledger} ledger entries in ` +
          `${result.files.length} files in ${config.dir}` +
          (result.recovered > 0 ? `; ${result.recovered} files of an earlier run finished` : ''),
      );
      for (const file of result.files) console.log(file);
      return 0;
    } catch (err) {
      if (err instanceof ExportBusyError) {
        console.error(`ocs export: ${err.message}`);
        return 1;
      }
      throw err;
    } finally {
      redis.disconnect();
    }
  },
});
