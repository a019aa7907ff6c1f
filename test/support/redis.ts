/**
 * A Redis for tests, from the first source that works:
 *   1. REDIS_URL, when set (nothing is started or stopped);
 *   2. a `redis:7` container through testcontainers, when a Docker engine answers;
 *   3. a `redis-server` binary (PATH, /usr/bin, /usr/sbin) on a free loopback port
 *      (src/redis/local-redis.ts, which the demo and the benchmarks use too), installing
 *      Debian's package first when running as root on a machine with apt-get.
 * Otherwise it fails with a message that says how to get one.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { findRedisServer, startLocalRedis } from '../../src/redis/local-redis.js';

export interface RunningRedis {
  url: string;
  /** How it was obtained. */
  source: 'env' | 'container' | 'binary';
  stop(): Promise<void>;
}

const NO_REDIS =
  'No Redis for the tests: install one (apt-get install -y redis-server), or start Docker, ' +
  'or set REDIS_URL=redis://host:port';

export async function startRedis(): Promise<RunningRedis> {
  const fromEnv = process.env.REDIS_URL;
  if (fromEnv) return { url: fromEnv, source: 'env', stop: async () => {} };
  if (await dockerAnswers()) return startContainer();
  // As root on Debian/Ubuntu, Debian's redis-server is installed when missing, so that
  // `npm ci && npm test` is all a fresh machine needs.
  const canInstall = process.getuid?.() === 0 && existsSync('/usr/bin/apt-get');
  if (findRedisServer() || canInstall) {
    const local = await startLocalRedis({
      persistence: 'none',
      install: canInstall,
      log: (l) => console.log(l),
    });
    return { url: local.url, source: 'binary', stop: () => local.stop() };
  }
  throw new Error(NO_REDIS);
}

/**
 * Quick check that a Docker engine runs: a socket (or DOCKER_HOST) and `docker info` answering
 * within 3 s. A docker CLI without an engine falls through at once.
 */
async function dockerAnswers(): Promise<boolean> {
  if (!process.env.DOCKER_HOST && !existsSync('/var/run/docker.sock')) return false;
  return new Promise((resolve) => {
    execFile('docker', ['info', '--format', '{{.ServerVersion}}'], { timeout: 3000 }, (err) => resolve(!err));
  });
}

async function startContainer(): Promise<RunningRedis> {
  const { GenericContainer, Wait } = await import('testcontainers');
  const container = await new GenericContainer('redis:7')
    .withCommand(['redis-server', '--save', '', '--appendonly', 'no'])
    .withExposedPorts(6379)
    .withWaitStrategy(Wait.forLogMessage('Ready to accept connections'))
    .start();
  return {
    url: `redis://${container.getHost()}:${container.getMappedPort(6379)}`,
    source: 'container',
    stop: async () => {
      await container.stop();
    },
  };
}
