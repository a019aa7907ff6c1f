import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Config } from '../config/config.js';
import { CdrWriter } from '../credit-control/cdr.js';
import { chargingSettings } from '../credit-control/settings.js';
import { balanceLines, cdrLine, demoScenario, demoSeconds, DemoLoad } from '../demo/load.js';
import { runTour } from '../demo/tour.js';
import { createLogger } from '../logging.js';
import { startServer } from '../server/start.js';
import { provision, type ProvisioningDeps } from '../provisioning/apply.js';

const DEMO_DOCUMENT = fileURLToPath(new URL('../../demo/provisioning.yaml', import.meta.url));

/** The VPN members and one account of the load: whose balances and CDRs the demo shows. */
const WATCHED = ['8613800000001', '8613800000002', '8613810000000'];

/**
 * The newcomer's tour: a server with a private Redis (unless REDIS_URL names one) and the demo
 * document, a scripted walk through each outcome, then a mixed load of scenarios/demo.yaml with
 * its live progress and report, the balances and CDRs that moved, and where to look further.
 * Serves until Ctrl-C (`once`: stops at the end). DEMO_SECONDS shortens the load.
 */
export async function runDemo(config: Config, once: boolean): Promise<number> {
  const token = config.adminToken ?? 'demo-admin-token-change-me';
  let interrupted = false;
  let load: DemoLoad | undefined;
  let wake: () => void = () => undefined;
  // First Ctrl-C: the load stops sending and waits for its answers, then all stops; second: now.
  const onSignal = () => {
    if (!interrupted) console.log('\nstopping (Ctrl-C again to stop at once)');
    interrupted = true;
    load?.stop();
    wake();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const server = await startServer(
    { ...config, adminToken: token },
    { logger: createLogger(process.env.LOG_LEVEL ?? 'warn'), installRedis: true },
  );
  try {
    const deps: ProvisioningDeps = {
      redis: server.redis,
      store: server.store,
      catalog: server.catalog,
      sessionKeys: server.sessionKeys,
    };
    const summary = await provision(deps, readFileSync(DEMO_DOCUMENT, 'utf8'));
    console.log(
      `Demo OCS: Diameter on port ${server.diameterPort}, HTTP on ${server.httpPort}, Redis at ${server.redisUrl}`,
    );
    console.log(
      `Provisioned ${summary.tariffs} tariff and ${summary.accountsCreated + summary.accountsUpdated} accounts from demo/provisioning.yaml\n`,
    );

    // 1. The scripted tour: one request at a time, each outcome in turn.
    const toured = ['8613800000001', '8613800000002', '8613800000003', '8613800000005'];
    const before = await Promise.all(toured.map((m) => server.store.getAccount(m)));
    console.log('Tour: a PGW and an IMS node, one request at a time');
    for (const line of await runTour(server.diameterPort, config.diameter.originRealm)) {
      console.log(
        `  ${line.what.padEnd(62)} -> ${line.resultCode ?? '-'}${line.granted ? `  granted ${line.granted}` : ''}` +
          (line.price ? `  price ${line.price}` : ''),
      );
    }
    console.log('\nBalances (money, minor units):');
    for (const [i, msisdn] of toured.entries()) {
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

    // 2. The load: many peers' worth of sessions at once, every answer checked.
    let ok = true;
    const scenario = demoScenario(server.diameterPort, demoSeconds());
    if (!scenario) console.log('\nscenarios/demo.yaml is not here: no load');
    else if (!interrupted) {
      const watchedBefore = await Promise.all(WATCHED.map((m) => server.store.getAccount(m)));
      console.log('');
      load = new DemoLoad(scenario, deps);
      if (interrupted) load.stop();
      const result = await load.run();
      ok = (result.report.ok && result.moneyConsistent) || interrupted;
      load = undefined;

      console.log('\nBalances after the load (minor units; free levels in seconds) and the latest CDRs:');
      const cdrs = new CdrWriter(server.redis, server.sessionKeys, chargingSettings().cdrMaxLen);
      for (const [i, msisdn] of WATCHED.entries()) {
        for (const line of balanceLines(msisdn, watchedBefore[i], await server.store.getAccount(msisdn)))
          console.log(line);
        for (const record of await cdrs.read(msisdn, { count: 3 })) console.log(cdrLine(record));
      }
    }

    if (interrupted) return ok ? 0 : 1;
    const base = `http://127.0.0.1:${server.httpPort}`;
    const auth = `-H 'Authorization: Bearer ${token}'`;
    console.log('\nLook further:');
    console.log(`  curl -s ${auth} ${base}/v1/accounts/8613800000002`);
    console.log(`  curl -s ${auth} ${base}/v1/accounts/8613800000002/cdrs`);
    console.log(`  curl -s ${auth} ${base}/v1/accounts/8613810000000/sessions`);
    console.log(`  curl -s ${base}/metrics | grep ocs_`);
    console.log(
      `  node dist/cli.js simulate scenarios/demo.yaml --port ${server.diameterPort} --duration 10`,
    );
    console.log(`  REDIS_URL=${server.redisUrl} node dist/cli.js provision demo/provisioning.yaml`);
    if (!once) {
      console.log('\nServing until Ctrl-C.');
      await new Promise<void>((resolve) => (wake = resolve));
    }
    return ok ? 0 : 1;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await server.close();
  }
}
