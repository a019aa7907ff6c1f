import type { FastifyInstance } from 'fastify';
import type { Cluster, Redis } from 'ioredis';
import { buildAdminApp } from '../admin/app.js';
import { tokensFromConfig } from '../admin/auth.js';
import { BalanceStore, StoreMetrics, reservedMoneyByCurrency } from '../balance/index.js';
import { TariffCatalog } from '../catalog/tariffs.js';
import type { Config } from '../config/config.js';
import { CdrWriter } from '../credit-control/cdr.js';
import { ChargingService } from '../credit-control/service.js';
import { Supervisor } from '../credit-control/supervision.js';
import { ChargingMetrics } from '../credit-control/metrics.js';
import { SessionKeys } from '../credit-control/keys.js';
import { DirectoryRater } from '../rating/rater.js';
import { BundleHoldingsCache } from '../bundles/holdings-cache.js';
import { VpnDirectory } from '../vpn/cache.js';
import { SessionStore } from '../credit-control/sessions.js';
import type { ChargingSettings } from '../credit-control/settings.js';
import { chargingSettings } from '../credit-control/settings.js';
import { SubscriberResolver } from '../credit-control/subscriber.js';
import { creditControlHandler } from '../diameter/credit-control-app.js';
import { defaultDictionary } from '../diameter/dictionary.js';
import { DiameterServer } from '../diameter/server.js';
import { createLogger, type Logger } from '../logging.js';
import { Metrics } from '../metrics/metrics.js';
import { connectRedis } from '../redis/connect.js';
import { answersPing, whenReady } from '../redis/readiness.js';
import { startLocalRedis, type LocalRedis } from '../redis/local-redis.js';
import { PRODUCT_NAME, firmwareRevision } from '../version.js';
import { newInstanceId } from '../network-requests/instance-id.js';
import { peerRegistry, startInstanceNetwork, type InstanceNetwork } from '../network-requests/network.js';
import { OpenedResources } from './opened-resources.js';
import type { ExportConfig } from '../export/config.js';
import { ExportKeys } from '../export/keys.js';
import { ExportMetrics } from '../export/metrics.js';
import { ExportService } from '../export/service.js';
import { VpnMonthlySchedule } from './vpn-monthly-schedule.js';

export interface ServerOptions {
  logger?: Logger;
  settings?: ChargingSettings;
  /** Prefix of every Redis key (tests share one Redis). */
  keyPrefix?: string;
  /** How often Tcc supervision runs; 0 turns it off (tests call supervise themselves). */
  supervisionIntervalMs?: number;
  /** Install Debian's redis-server when REDIS_URL is unset and none is installed. */
  installRedis?: boolean;
  /** How often VPN_MONTHLY_RUN=auto looks for a month to run; 0: only when tests call check. */
  vpnMonthlyCheckMs?: number;
  now?: () => number;
  /** The exporter's configuration (EXPORT_*); it runs when `enabled`. */
  export?: ExportConfig;
}

export interface RunningServer {
  diameterPort: number;
  /** The Diameter TLS listener's port, when DIAMETER_TLS_PORT is set. */
  diameterTlsPort: number | undefined;
  httpPort: number;
  redisUrl: string;
  redis: Redis | Cluster;
  store: BalanceStore;
  catalog: TariffCatalog;
  sessionKeys: SessionKeys;
  sessions: SessionStore;
  charging: ChargingService;
  /** Tcc supervision; tests run it themselves with supervisionIntervalMs 0. */
  supervisor: Supervisor;
  /** The monthly VPN run of VPN_MONTHLY_RUN=auto; undefined when it is off. */
  vpnMonthly: VpnMonthlySchedule | undefined;
  /** The Diameter listeners, their peers and admission. */
  diameter: DiameterServer;
  /** RARs and ASRs: this instance's id, its peers in the registry, the triggers, the ASR sweeper. */
  network: InstanceNetwork;
  http: FastifyInstance;
  /** The exporter, when EXPORT_ENABLED: this instance exports while it holds the lock. */
  exporter: ExportService | undefined;
  /**
   * Graceful shutdown within SHUTDOWN_TIMEOUT_MS: not ready at once, Diameter drained (see
   * DiameterServer.close), then HTTP, supervision and Redis closed. Resolves true when the drain
   * was clean, false when the bound cut connections off; a second call waits for the first.
   */
  close(): Promise<boolean>;
}

/** Wires Redis, charging, Diameter and HTTP; `close()` undoes it in order. */
export async function startServer(config: Config, options: ServerOptions = {}): Promise<RunningServer> {
  const logger = options.logger ?? createLogger(config.logLevel);
  let localRedis: LocalRedis | undefined;
  let redisUrl = config.redisUrl;
  if (!redisUrl) {
    localRedis = await startLocalRedis({
      install: options.installRedis ?? false,
      persistence: 'aof',
      log: (l) => logger.info(l),
    });
    redisUrl = localRedis.url;
    logger.info({ url: redisUrl, pid: localRedis.pid }, 'REDIS_URL unset: started a private redis-server');
  }
  // Every command on the call path has a deadline, and none waits for a reconnection.
  const commandTimeoutMs = config.redisCommandTimeoutMs;
  const redis = connectRedis(redisUrl, { commandTimeoutMs, offlineQueue: false, logger });
  const opened = new OpenedResources();
  opened.add(() => localRedis?.stop());
  opened.add(() => redis.disconnect());
  await opened.step(() => whenReady(redis));
  const keyPrefix = options.keyPrefix ?? '';
  const settings = options.settings ?? chargingSettings();
  const metrics = new Metrics({ logger });

  // Replays of a session's latest request are answered from its record; operation ids only
  // bridge a crash between the balance script and the record, so ten minutes cover Diameter
  // retransmission (Tx, failover) with room: at 12,000 CCR/s an hour of them took ~20 GB.
  const store = new BalanceStore({
    redis,
    keyPrefix,
    opTtlSeconds: 600,
    metrics: new StoreMetrics(metrics.registry, redis),
  });
  // Tariffs and VPN data are cached per instance, each for at most CONFIG_CACHE_TTL_MS.
  const cached = {
    redis,
    keyPrefix,
    ttlMs: config.configCacheTtlMs,
    ...(options.now ? { now: options.now } : {}),
  };
  const catalog = await opened.step(() => TariffCatalog.open(cached));
  opened.add(() => catalog.close());
  const sessionKeys = new SessionKeys(keyPrefix);
  const sessions = new SessionStore(redis, sessionKeys);
  const vpnDirectory = await opened.step(() => VpnDirectory.open(cached));
  opened.add(() => vpnDirectory.close());
  const bundleHoldings = await opened.step(() => BundleHoldingsCache.open(cached));
  opened.add(() => bundleHoldings.close());
  const instanceId = config.networkRequests.instanceId ?? newInstanceId();
  const charging = new ChargingService({
    instanceId,
    storeDeadlineMs: commandTimeoutMs,
    store,
    sessions,
    cdrs: new CdrWriter(redis, sessionKeys, settings.cdrMaxLen),
    subscribers: new SubscriberResolver(redis, sessionKeys, settings.subscriptionIdTypes),
    rater: new DirectoryRater(catalog, vpnDirectory, settings.numbering, bundleHoldings),
    settings,
    logger,
    metrics: new ChargingMetrics(metrics, {
      openSessions: () => sessions.countOpen(),
      reservedMoney: () =>
        reservedMoneyByCurrency(redis, store.keys, { supervision: sessionKeys.supervision() }),
      currencies: async () => (await catalog.list()).map((t) => t.currency),
    }),
    ...(options.now ? { now: options.now } : {}),
  });
  const supervisor = new Supervisor(charging.charging);

  const dictionary = defaultDictionary();
  const identity = {
    originHost: config.diameter.originHost,
    originRealm: config.diameter.originRealm,
    originStateId: Math.floor(Date.now() / 1000),
    productName: PRODUCT_NAME,
    vendorId: 0,
    firmwareRevision: firmwareRevision(),
  };
  // Which instance holds which peer, so that any instance can have a RAR or ASR sent.
  const peers = peerRegistry(redis, keyPrefix, instanceId, logger);
  const diameter = new DiameterServer({
    host: config.diameter.host,
    port: config.diameter.port,
    dictionary,
    identity,
    handlers: [],
    allowedPeers: config.diameter.allowedPeers,
    watchdogMs: config.diameter.watchdogMs,
    maxMessageBytes: config.diameter.maxMessageBytes,
    maxInFlight: config.diameter.maxInFlight,
    logger,
    registry: metrics.registry,
    peerEvents: peers,
    ...(config.diameter.tls ? { tls: config.diameter.tls } : {}),
  });
  diameter.addHandler(creditControlHandler({ avps: diameter.avps, identity, service: charging, logger }));
  const network = await opened.step(() =>
    startInstanceNetwork({
      redis,
      keyPrefix,
      registry: peers,
      instanceId,
      peers: diameter,
      avps: diameter.avps,
      identity,
      charging: charging.charging,
      settings: config.networkRequests,
      metricsRegistry: metrics.registry,
      logger,
    }),
  );
  opened.add(() => network.close());
  const { port: diameterPort, tlsPort: diameterTlsPort } = await opened.step(() => diameter.listen());
  opened.add(() => diameter.close(Date.now()));

  let draining = false;
  const http = await opened.step(() =>
    buildAdminApp({
      redis,
      store,
      catalog,
      sessions,
      sessionKeys,
      network: network.triggers,
      metrics,
      tokens: tokensFromConfig(config),
      metricsToken: config.metricsToken,
      limits: config.adminLimits,
      logger,
      ...(options.now ? { now: options.now } : {}),
      // Ready: Redis answers, the Diameter port listens, and we are not shutting down.
      ready: async () => !draining && diameter.listening && (await answersPing(redis, commandTimeoutMs)),
    }),
  );
  opened.add(() => http.close());
  await opened.step(() => http.listen({ host: config.http.host, port: config.http.port }));
  const address = http.server.address();
  const httpPort = typeof address === 'object' && address ? address.port : config.http.port;
  logger.info({ port: httpPort }, 'http listening');

  const intervalMs = options.supervisionIntervalMs ?? 5000;
  const supervision =
    intervalMs > 0
      ? setInterval(() => {
          supervisor.supervise().catch((err: unknown) => logger.warn({ err }, 'Tcc supervision failed'));
        }, intervalMs)
      : undefined;
  supervision?.unref();
  // The backlog gauges are read on every instance, so that they rise when none exports.
  const exportMetrics = new ExportMetrics(metrics, redis, new ExportKeys(keyPrefix));
  const exporter = options.export?.enabled
    ? new ExportService({ redis, config: options.export, keyPrefix, metrics: exportMetrics, logger })
    : undefined;
  exporter?.start();
  const vpnMonthly =
    config.vpnMonthlyRun === 'auto'
      ? new VpnMonthlySchedule({
          redis,
          store,
          keyPrefix,
          logger,
          now: options.now ?? Date.now,
          network: network.triggers,
        })
      : undefined;
  if (options.vpnMonthlyCheckMs !== 0) vpnMonthly?.start(options.vpnMonthlyCheckMs);
  let closing: Promise<boolean> | undefined;

  return {
    diameterPort,
    diameterTlsPort,
    httpPort,
    redisUrl,
    redis,
    store,
    catalog,
    sessionKeys,
    sessions,
    charging,
    supervisor,
    vpnMonthly,
    diameter,
    network,
    http,
    exporter,
    close() {
      closing ??= (async () => {
        const startedAt = Date.now();
        const timeoutMs = config.shutdownTimeoutMs;
        draining = true;
        clearInterval(supervision);
        vpnMonthly?.stop();
        logger.info({ timeoutMs }, 'shutting down: not ready, new connections refused, draining');
        const drained = await diameter.close(startedAt + timeoutMs - closingReserveMs(timeoutMs));
        await http.close();
        await network.close();
        await exporter?.close();
        await catalog.close();
        await vpnDirectory.close();
        await redis.quit().catch(() => undefined);
        await localRedis?.stop();
        logger.info({ ms: Date.now() - startedAt, drained }, 'stopped');
        return drained;
      })();
      return closing;
    },
  };
}

/**
 * The part of SHUTDOWN_TIMEOUT_MS kept for closing HTTP and Redis once Diameter is drained:
 * a tenth, at most a second (they close in milliseconds unless Redis is stalled).
 */
function closingReserveMs(timeoutMs: number): number {
  return Math.min(1000, Math.floor(timeoutMs / 10));
}
