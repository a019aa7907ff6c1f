import { readArgs, type ArgSpec } from './arguments.js';
import { defineCommand } from './define.js';
import { requiredRedisUrl, type RedisNeeds } from './redis-needs.js';

const ARGS = {
  flags: {
    dir: {
      type: 'string',
      value: 'DIR',
      meaning: 'the directory of the exported files (default EXPORT_DIR)',
    },
  },
} as const satisfies ArgSpec;

export interface AuditArgs {
  dir?: string | undefined;
}

export interface AuditNeeds extends RedisNeeds {
  exportDir: string;
}

export const audit = defineCommand<AuditArgs, AuditNeeds>({
  name: 'audit',
  usage: 'audit [--dir DIR]',
  summary: 'check every balance against its ledger, exported and in Redis (ocs audit --help)',
  args: ARGS,
  help: {
    synopsis: ['audit [--dir DIR]'],
    description:
      'Reads the exported ledger files (closed and being written) and, for every account, its ' +
      'balance and the ledger entries Redis still holds, and checks that per bucket available + ' +
      'reserved + spent equals what the ledger says was put in (provisioning, top-ups, refunds, ' +
      'resets) and that every other entry only moved amounts. Each account that does not add up ' +
      'is printed with why. Exit code 0 only when every account adds up, 1 otherwise. Safe while ' +
      'the servers run: an account is read in one transaction.',
    environment: [
      ['REDIS_URL', 'the Redis the servers use (required)'],
      ['EXPORT_DIR', 'the directory of the exported files (default /var/lib/ocs/export)'],
    ],
    examples: ['ocs audit --dir /srv/ocs-export'],
  },
  parse(args) {
    const { values } = readArgs('audit', args, ARGS);
    return { dir: values.dir };
  },
  async configure(env) {
    const [{ redisNeeds }, { loadExportConfig }] = await Promise.all([
      import('./redis-needs.js'),
      import('../export/config.js'),
    ]);
    return { ...(await redisNeeds(env)), exportDir: loadExportConfig({ EXPORT_DIR: env.EXPORT_DIR }).dir };
  },
  async execute(args, needs) {
    const [{ connectRedis }, { BalanceStore }, { audit: runAudit }] = await Promise.all([
      import('../redis/connect.js'),
      import('../balance/index.js'),
      import('../audit/audit.js'),
    ]);
    const dir = args.dir ?? needs.exportDir;
    const redis = connectRedis(await requiredRedisUrl(needs, 'for ocs audit'));
    try {
      const report = await runAudit(redis, new BalanceStore({ redis }), dir);
      for (const { msisdn, problems } of report.failed) {
        for (const problem of problems) console.log(`${msisdn}: ${problem}`);
      }
      const summary =
        `${report.accounts} accounts, ${report.files} ledger files in ${dir}` +
        (report.duplicates > 0 ? ` (${report.duplicates} records met twice, counted once)` : '');
      console.error(
        report.failed.length === 0
          ? `ocs audit: ${summary}: every account adds up`
          : `ocs audit: ${summary}: ${report.failed.length} accounts do not add up`,
      );
      return report.failed.length === 0 ? 0 : 1;
    } finally {
      redis.disconnect();
    }
  },
});
