import type { Socket } from 'node:net';
import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'ioredis';
import { createLogger, type Logger } from '../logging.js';

export interface ConnectOptions {
  /**
   * Deadline of every command: past it the command fails ("Command timed out") and its caller
   * answers at once, however long Redis takes (a frozen process keeps its TCP connection).
   */
  commandTimeoutMs?: number;
  /**
   * false: a command sent while the connection is down fails at once instead of waiting for
   * the reconnection, and so does one sent before the first `ready` (see whenReady). Default
   * true. Connections duplicated from this one (subscriptions) always keep their queue.
   */
  offlineQueue?: boolean;
  /**
   * Where connection errors and reconnections go; without one they go to a logger of warnings
   * on stderr (a command's stdout stays its output).
   */
  logger?: Logger;
}

/** TCP keepalive probes after this much silence, so that a dead peer is noticed, not waited on. */
const KEEPALIVE_MS = 5000;
/** How long a TCP connection to Redis may take to open before the attempt is abandoned. */
const CONNECT_TIMEOUT_MS = 2000;

/** Reconnects for ever, soon at first and at most a second apart: service resumes by itself. */
function reconnectDelay(times: number): number {
  return Math.min(50 * 2 ** (times - 1), 1000);
}

/**
 * Connects to `redis://host:port` (one server) or a comma-separated list of node URLs (Redis
 * Cluster). Commands fail after one retry instead of queueing for ever, so a CCR is answered
 * 5012 UNABLE_TO_COMPLY quickly when Redis is away, and not left hanging.
 */
export function connectRedis(url: string, options: ConnectOptions = {}): Redis | Cluster {
  const urls = url
    .split(',')
    .map((u) => u.trim())
    .filter(Boolean);
  const node = {
    maxRetriesPerRequest: 1,
    keepAlive: KEEPALIVE_MS,
    connectTimeout: CONNECT_TIMEOUT_MS,
    ...(options.commandTimeoutMs === undefined ? {} : { commandTimeout: options.commandTimeoutMs }),
  };
  const enableOfflineQueue = options.offlineQueue ?? true;
  if (urls.length > 1) {
    const nodes = urls.map((u) => new URL(u));
    const cluster = new Cluster(
      nodes.map((parsed) => ({ host: parsed.hostname, port: Number(parsed.port || 6379) })),
      {
        // Every node of a cluster takes the same credentials: those of the first URL.
        redisOptions: { ...node, ...credentials(nodes[0]) },
        enableOfflineQueue,
        clusterRetryStrategy: reconnectDelay,
      },
    );
    cluster.on('+node', (n: Redis) => batchWrites(n));
    subscribersQueue(cluster, options.logger);
    return logErrors(cluster, options.logger, 'Redis');
  }
  const redis = new Redis(urls[0] ?? url, { ...node, enableOfflineQueue, retryStrategy: reconnectDelay });
  subscribersQueue(redis, options.logger);
  return logErrors(batchWrites(redis), options.logger, 'Redis');
}

/** The user and password a URL carries, decoded as the client reads them from a single URL. */
function credentials(url: URL | undefined): Pick<RedisOptions, 'username' | 'password'> {
  if (!url?.password) return {};
  return {
    ...(url.username ? { username: decodeURIComponent(url.username) } : {}),
    password: decodeURIComponent(url.password),
  };
}

/**
 * A duplicate serves a subscription, not a request: it keeps its offline queue and has no
 * command deadline, so that it can subscribe before it is connected and subscribe again after
 * a reconnection however long Redis takes.
 */
function subscribersQueue(client: Redis | Cluster, logger: Logger | undefined): void {
  if (client instanceof Cluster) {
    const duplicate = client.duplicate.bind(client);
    const redisOptions: ClusterOptions['redisOptions'] = { ...client.options.redisOptions };
    delete redisOptions.commandTimeout;
    client.duplicate = ((nodes?: Parameters<Cluster['duplicate']>[0], override: ClusterOptions = {}) =>
      logErrors(
        duplicate(nodes, { enableOfflineQueue: true, redisOptions, ...override }),
        logger,
        'Redis subscription',
      )) as Cluster['duplicate'];
    return;
  }
  const duplicate = client.duplicate.bind(client);
  client.duplicate = ((override: Partial<RedisOptions> = {}) =>
    logErrors(
      duplicate({ enableOfflineQueue: true, commandTimeout: undefined, ...override }),
      logger,
      'Redis subscription',
    )) as Redis['duplicate'];
}

/**
 * The connection's life as JSON log lines: errors (a listener also keeps ioredis from printing
 * them to the console itself), each reconnection attempt, and the connection ready again after
 * one. A reconnection in progress is not a crash.
 */
function logErrors<C extends Redis | Cluster>(client: C, given: Logger | undefined, what: string): C {
  const logger = given ?? stderrLogger();
  let lost = false;
  client.on('error', (err: Error) => logger.warn({ reason: err.message }, `${what} connection error`));
  client.on('node error', (err: Error, node: string) =>
    logger.warn({ reason: err.message, node }, `${what} cluster node error`),
  );
  client.on('reconnecting', (delayMs: unknown) => {
    lost = true;
    logger.warn(typeof delayMs === 'number' ? { delayMs } : {}, `${what} reconnecting`);
  });
  client.on('ready', () => {
    if (lost) logger.info(`${what} connection ready again`);
    lost = false;
  });
  return client;
}

let warnings: Logger | undefined;
function stderrLogger(): Logger {
  return (warnings ??= createLogger('warn', 'redis', 2));
}

/**
 * ioredis writes every command to its socket at once: one system call each, which was a
 * quarter of the server's CPU per CCR. Corking the socket until the end of the tick sends the
 * commands of all requests in flight in one write, in the same order, with no added delay.
 */
export function batchWrites(redis: Redis): Redis {
  redis.on('connect', () => corkPerTick(redis.stream as Socket));
  return redis;
}

function corkPerTick(socket: Socket): void {
  const write = socket.write.bind(socket) as (...args: unknown[]) => boolean;
  let corked = false;
  const uncork = () => {
    corked = false;
    socket.uncork();
  };
  socket.write = ((...args: unknown[]) => {
    if (!corked) {
      corked = true;
      socket.cork();
      process.nextTick(uncork);
    }
    return write(...args);
  }) as Socket['write'];
}
