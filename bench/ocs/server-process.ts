import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../src/redis/local-redis.js';
import { CLI, ROOT } from './paths.js';
import { EXPORT, EXPORT_KEEP_SECONDS, PROFILE } from './settings.js';
import { sleep } from './sleep.js';

/** Node flags of the server, as the Docker image sets them (Dockerfile, NODE_OPTIONS). */
export const SERVER_NODE_FLAGS = ['--max-semi-space-size=64'];

/** Resident memory of a process (/proc/PID/status); NaN once it has gone. */
export function rssBytes(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return Number(/^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1] ?? NaN) * 1024;
  } catch {
    return NaN;
  }
}

/** The server as a child process, its output kept (LOG_LEVEL=warn: every line is a warning). */
export class ServerProcess {
  readonly output: string[] = [];
  private exited: Promise<number | null>;

  private constructor(
    private readonly child: ChildProcess,
    readonly diameterPort: number,
    readonly httpPort: number,
    readonly profileDir: string | undefined,
    /** Where the server's exporter writes, removed when it stops. */
    private readonly exportDir: string | undefined,
  ) {
    const keep = (chunk: Buffer) => {
      for (const line of chunk.toString().split('\n')) if (line.trim()) this.output.push(line);
      if (this.output.length > 1000) this.output.splice(0, this.output.length - 1000);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  }

  get pid(): number {
    return this.child.pid ?? 0;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  static async start(redisUrl: string): Promise<ServerProcess> {
    const diameterPort = await freePort();
    const httpPort = await freePort();
    const profileDir = PROFILE ? mkdtempSync(join(tmpdir(), 'ocs-bench-prof-')) : undefined;
    const exportDir = EXPORT ? mkdtempSync(join(tmpdir(), 'ocs-bench-export-')) : undefined;
    const nodeArgs = [
      ...SERVER_NODE_FLAGS,
      ...(profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []),
    ];
    const child = spawn(process.execPath, [...nodeArgs, CLI, 'serve'], {
      cwd: ROOT,
      env: {
        ...process.env,
        REDIS_URL: redisUrl,
        DIAMETER_HOST: '127.0.0.1',
        DIAMETER_PORT: String(diameterPort),
        HTTP_HOST: '127.0.0.1',
        HTTP_PORT: String(httpPort),
        LOG_LEVEL: 'warn',
        ...(exportDir
          ? {
              EXPORT_ENABLED: 'true',
              EXPORT_DIR: exportDir,
              EXPORT_KEEP_SECONDS: String(EXPORT_KEEP_SECONDS),
            }
          : {}),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const server = new ServerProcess(child, diameterPort, httpPort, profileDir, exportDir);
    const deadline = Date.now() + 30_000;
    for (;;) {
      if (!server.running)
        throw new Error(`the server exited at start:\n${server.output.slice(-20).join('\n')}`);
      const ready = await fetch(`http://127.0.0.1:${httpPort}/readyz`).then(
        (r) => r.ok,
        () => false,
      );
      if (ready) return server;
      if (Date.now() > deadline) throw new Error('the server was not ready within 30 s');
      await sleep(100);
    }
  }

  /**
   * The old generation's used bytes, from the server's /metrics (prom-client's default metrics):
   * what stays after scavenges, where a leak accumulates.
   */
  async oldSpaceUsed(): Promise<number> {
    const text = await fetch(`http://127.0.0.1:${this.httpPort}/metrics`).then(
      (r) => r.text(),
      () => '',
    );
    return Number(/^nodejs_heap_space_size_used_bytes\{space="old"\} (\S+)/m.exec(text)?.[1] ?? NaN);
  }

  async stop(): Promise<void> {
    if (this.running) {
      this.child.kill('SIGTERM');
      const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
      await this.exited;
      clearTimeout(timer);
    }
    if (this.exportDir) rmSync(this.exportDir, { recursive: true, force: true });
  }
}
