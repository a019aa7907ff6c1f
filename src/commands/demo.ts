import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { runTour } from '../demo/tour.js';
import { createLogger } from '../logging.js';
import { startServer } from '../main.js';
import { provision } from '../provisioning/apply.js';
import { untilSignal, type Command } from './command.js';

const DEMO_DOCUMENT = fileURLToPath(new URL('../../demo/provisioning.yaml', import.meta.url));

export const demo: Command = {
  name: 'demo',
  usage: 'demo [--once]',
  summary: 'start a server with a private Redis and demo data, and walk through it',
  async run(args, config) {
    const once = args.includes('--once');
    const token = config.adminToken ?? 'demo-admin-token-change-me';
    const server = await startServer(
      { ...config, adminToken: token },
      { logger: createLogger(process.env.LOG_LEVEL ?? 'warn'), installRedis: true },
    );
    try {
      const summary = await provision(
        {
          redis: server.redis,
          store: server.store,
          catalog: server.catalog,
          sessionKeys: server.sessionKeys,
        },
        readFileSync(DEMO_DOCUMENT, 'utf8'),
      );
      console.log(
        `Demo OCS: Diameter on port ${server.diameterPort}, HTTP on ${server.httpPort}, Redis at ${server.redisUrl}`,
      );
      console.log(
        `Provisioned ${summary.tariffs} tariff and ${summary.accountsCreated + summary.accountsUpdated} accounts from demo/provisioning.yaml\n`,
      );
      const watched = ['8613800000001', '8613800000002', '8613800000003'];
      const before = await Promise.all(watched.map((m) => server.store.getAccount(m)));
      for (const line of await runTour(server.diameterPort)) {
        console.log(
          `  ${line.what.padEnd(62)} -> ${line.resultCode ?? '-'}${line.granted ? `  granted ${line.granted}` : ''}`,
        );
      }
      console.log('\nBalances (money, minor units):');
      for (const [i, msisdn] of watched.entries()) {
        const after = await server.store.getAccount(msisdn);
        const b = before[i]?.buckets.money?.available ?? 0;
        const a = after?.buckets.money;
        console.log(
          `  ${msisdn}: ${b} -> available ${a?.available ?? 0}, reserved ${a?.reserved ?? 0}, spent ${a?.spent ?? 0}`,
        );
        for (const [bucket, v] of Object.entries(after?.buckets ?? {})) {
          if (bucket !== 'money') console.log(`    ${bucket}: available ${v.available}, spent ${v.spent}`);
        }
      }
      console.log('\nLook further:');
      console.log(
        `  curl -s -H 'Authorization: Bearer ${token}' http://127.0.0.1:${server.httpPort}/v1/accounts/8613800000001`,
      );
      console.log(`  curl -s http://127.0.0.1:${server.httpPort}/metrics | grep ocs_`);
      console.log(`  REDIS_URL=${server.redisUrl} node dist/cli.js provision demo/provisioning.yaml`);
      if (!once) {
        console.log('\nServing until Ctrl-C.');
        await untilSignal();
      }
      return 0;
    } finally {
      await server.close();
    }
  },
};
