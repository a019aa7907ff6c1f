import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { findRedisServer, freePort } from '../../src/redis/local-redis.js';

/**
 * A redis-server under valgrind's callgrind, counting instructions only inside FCALL (the
 * charging functions and the commands they run; not reading requests nor writing replies), for
 * figures that the load of a shared machine does not move. `dump(label)` returns the
 * instructions counted since the last dump.
 */
export interface CallgrindRedis {
  url: string;
  dump(label: string): number;
  stop(): Promise<void>;
}

export async function startCallgrindRedis(): Promise<CallgrindRedis> {
  const binary = findRedisServer();
  if (!binary) throw new Error('redis-server not found');
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'ocs-callgrind-'));
  const child = spawn(
    'valgrind',
    [
      '--tool=callgrind',
      '--toggle-collect=fcallCommand',
      `--callgrind-out-file=${join(dir, 'cg.out')}`,
      binary,
      ...['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no'],
    ],
    { stdio: 'ignore' },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `redis://127.0.0.1:${port}`;
  const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  // Refused connections while valgrind starts, and the shutdown at the end, are expected.
  probe.on('error', () => undefined);
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      await probe.connect();
      await probe.ping();
      break;
    } catch (error) {
      probe.disconnect();
      if (child.exitCode !== null || Date.now() > deadline) {
        child.kill('SIGKILL');
        rmSync(dir, { recursive: true, force: true });
        throw new Error(`redis-server under valgrind did not start: ${String(error)}`);
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  const pid = String(child.pid);
  return {
    url,
    dump(label) {
      execFileSync('callgrind_control', [`--dump=${label}`, pid], { stdio: 'ignore' });
      for (const name of readdirSync(dir).filter((n) => n.startsWith('cg.out.'))) {
        const text = readFileSync(join(dir, name), 'utf8');
        if (!text.includes(`Trigger: dump ${label}\n`)) continue;
        rmSync(join(dir, name));
        return Number(/^(?:summary|totals): (\d+)/m.exec(text)?.[1] ?? NaN);
      }
      return NaN;
    },
    async stop() {
      await probe.call('SHUTDOWN', 'NOSAVE').catch(() => undefined);
      probe.disconnect();
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
