import { execFile } from 'node:child_process';
import type { Redis } from 'ioredis';
import { findRedisServer } from '../../src/redis/local-redis.js';

function run(command: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) =>
      err ? reject(new Error(`${command} failed: ${err.message} ${stderr}`)) : resolve(stdout),
    );
  });
}

/** redis-benchmark from the same installation as the redis-server the benchmarks start. */
function redisBenchmarkBinary(): string {
  return findRedisServer()?.replace(/redis-server$/, 'redis-benchmark') ?? 'redis-benchmark';
}

/**
 * The yardstick for every script call: redis-benchmark's EVALSHA of `return 1`, 50 clients, on
 * the same Redis. Calls per second.
 */
export async function trivialEvalshaRate(redis: Redis, port: number, requests: number): Promise<number> {
  const sha = (await redis.script('LOAD', 'return 1')) as string;
  const out = await run(redisBenchmarkBinary(), [
    '-p',
    String(port),
    '-n',
    String(requests),
    '-c',
    '50',
    '-q',
    'EVALSHA',
    sha,
    '0',
  ]);
  const rate = Number([...out.matchAll(/([\d.]+) requests per second/g)].at(-1)?.[1]);
  if (!Number.isFinite(rate)) throw new Error(`cannot read redis-benchmark's output: ${out}`);
  return rate;
}
