/**
 * The whole server, end to end, on this machine: a private Redis (AOF appendfsync everysec, as in
 * production), the server as a child process (`node dist/cli.js serve`, so that its CPU time is
 * its own), and the load simulator in this process, all three sharing the machine's cores. The
 * fixed mix is the busy hour's: 70% data sessions (CCR-I, two CCR-Us, CCR-T), 25% voice calls
 * (CCR-I, CCR-U, CCR-T; 30% of them dial short numbers of a VPN group whose members have a
 * package with free minutes), 5% SMS events. Every answer is checked, and so is the money.
 *
 * Phases: (c) first, Redis memory per open session: sessions opened (CCR-I only) and held while
 * INFO memory is read, then terminated; (a) saturation, SESSIONS sessions always in progress:
 * CCR/s; (b) fixed offered loads of 1,000 and 5,000 CCR/s: latency per request type, and answers
 * 3004 (too busy); (d) the baseline, measured
 * on the same Redis in the same run: the bare balance-store apply through ioredis, 200 in
 * flight, and redis-benchmark's trivial EVALSHA. Then a table with the targets, and one line for
 * scripts (`bench:ocs ...`). Server CPU per CCR is its user + system time (/proc/PID/stat)
 * over the phase divided by the CCRs it answered in that phase.
 *
 *   npm run bench                         # full: 25 s phases, a few minutes
 *   BENCH_SIZE=small npm run bench        # under a minute, for CI
 *   BENCH_SOAK_MINUTES=10 npm run bench   # also a soak at half the saturation rate: the server's RSS trend
 *   BENCH_PROFILE=1 npm run bench         # the server runs with --cpu-prof; its hot spots are printed
 *
 * Ctrl-C stops the phase in progress and everything the benchmark started.
 */
import { cpus } from 'node:os';
import type { Redis as RedisClient } from 'ioredis';
import { BalanceStore } from '../../src/balance/index.js';
import { TariffCatalog } from '../../src/catalog/tariffs.js';
import { SessionKeys } from '../../src/credit-control/keys.js';
import type { ProvisioningDeps } from '../../src/provisioning/apply.js';
import { connectRedis } from '../../src/redis/connect.js';
import { startLocalRedis, type LocalRedis } from '../../src/redis/local-redis.js';
import { ensureBuilt } from './build.js';
import { exportSettled } from './export-settled.js';
import { num } from './format.js';
import { checkInterrupted, Interrupted, stopOnSignals } from './interruption.js';
import { baseline } from './phases/baseline.js';
import { fixedRate } from './phases/fixed-rate.js';
import { sessionMemory } from './phases/memory.js';
import { saturation, warmUp } from './phases/saturation.js';
import { soakIfAsked } from './phases/soak.js';
import { profileSummary } from './profile.js';
import { printChecks, printSummary } from './report.js';
import { provisionBench } from './scenario.js';
import { SERVER_NODE_FLAGS, ServerProcess } from './server-process.js';
import { ACCOUNTS, FIXED_RATE, MEMBERS, MEMORY_SESSIONS, MODERATE_RATE, PROFILE, SIZE } from './settings.js';
import type { Testbed } from './simulate.js';

async function main(): Promise<number> {
  ensureBuilt();
  let local: LocalRedis | undefined;
  let server: ServerProcess | undefined;
  let redis: RedisClient | undefined;
  const stopListening = stopOnSignals();
  try {
    local = await startLocalRedis({ persistence: 'aof' });
    redis = connectRedis(local.url) as RedisClient;
    const redisVersion = (await redis.info('server')).match(/^redis_version:(\S+)/m)?.[1] ?? '?';
    const deps: ProvisioningDeps = {
      redis,
      store: new BalanceStore({ redis }),
      catalog: new TariffCatalog(redis),
      sessionKeys: new SessionKeys(),
    };
    const provisionSeconds = await provisionBench(deps);
    checkInterrupted();

    server = await ServerProcess.start(local.url);
    const bed: Testbed = { port: server.diameterPort, pids: { server: server.pid, redis: local.pid }, redis };
    console.log(
      `ocs benchmark (${SIZE}): ${cpus().length} CPUs, Node ${process.version}, Redis ${redisVersion} ` +
        `AOF everysec (pid ${local.pid}), server \`node ${SERVER_NODE_FLAGS.join(' ')} dist/cli.js serve\` (pid ${server.pid})${PROFILE ? ' with --cpu-prof' : ''}`,
    );
    console.log(
      `  mix: 70% data I/U/U/T, 25% voice I/U/T (30% of calls to VPN short numbers), 5% SMS events; ` +
        `${num(ACCOUNTS)} accounts + ${num(MEMBERS)} VPN members, provisioned in ${provisionSeconds.toFixed(1)} s`,
    );

    // Memory first, on a Redis where nothing expires or is trimmed yet: later, the keys that
    // finished sessions leave for retransmissions expire while it measures.
    const memory = await sessionMemory(bed.port, redis, MEMORY_SESSIONS);

    checkInterrupted();
    await warmUp(bed);
    const sat = await saturation(bed, deps.store);
    const settled = async (after: string) => {
      const line = await exportSettled(redis!, after);
      if (line) console.log(line);
    };
    await settled('phase (a)');
    const moderate = await fixedRate(bed, deps.store, MODERATE_RATE, 'b1');
    await settled('phase (b1)');
    const fixed = await fixedRate(bed, deps.store, FIXED_RATE, 'b2');
    printChecks([
      ['saturation', sat],
      [`fixed rate ${MODERATE_RATE}`, moderate],
      [`fixed rate ${FIXED_RATE}`, fixed],
    ]);

    checkInterrupted();
    const base = await baseline(redis, local.port, sat.report.ccr.perSecond);
    const soak = await soakIfAsked(bed, server, sat.report.ccr.perSecond);

    const checked =
      [sat, moderate, fixed].every((phase) => phase.problems.length === 0) && memory.refusals.size === 0;
    printSummary({
      sat,
      moderate,
      fixed,
      memory,
      baseline: base,
      soak,
      checked,
      serverOutput: server.output,
    });
    await server.stop();
    if (server.profileDir) for (const line of profileSummary(server.profileDir)) console.log(line);
    return checked ? 0 : 1;
  } catch (err) {
    if (err instanceof Interrupted) {
      console.log('interrupted: nothing measured is printed');
      return 130;
    }
    if (server && !server.running)
      console.error(
        `the server exited during the run; its last lines:\n${server.output.slice(-20).join('\n')}`,
      );
    throw err;
  } finally {
    stopListening();
    await server?.stop();
    redis?.disconnect();
    await local?.stop();
  }
}

process.exitCode = await main();
