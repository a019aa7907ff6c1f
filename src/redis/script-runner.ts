/**
 * How one client runs the scripts of one function library: FCALL while it can, and where
 * functions cannot be used (Redis 6, or an ACL that denies FUNCTION) the same scripts with
 * EVALSHA, falling back to EVAL on NOSCRIPT. A library that is missing (a new Redis, FUNCTION
 * FLUSH) is loaded again on the first "Function not found".
 */
import { createHash } from 'node:crypto';
import { Redis, ReplyError, type Cluster } from 'ioredis';
import { FcallEncoding } from './fcall-encoding.js';
import type { LuaLibrary } from './lua-library.js';
import type { ScriptArg, ScriptCallArg } from './script-call.js';

export type ScriptMode = 'function' | 'eval';

/** What the runner needs of its scripts, each read and built once for every client. */
export interface RunnableScripts<Name extends string> {
  /** Script -> the number of KEYS it takes. */
  keys: Record<Name, number>;
  library(): LuaLibrary<Name>;
  /** The script as EVAL runs it, guarded or not. */
  evalSource(name: Name, guarded: boolean): string;
}

export class ScriptRunner<Name extends string> {
  mode: ScriptMode = 'function';
  private loading: Promise<void> | undefined;
  private readonly shas = new Map<string, string>();
  /**
   * One Redis (an ioredis client) without a client-side key prefix: FCALL encoded here
   * (fcall-encoding.ts). A cluster routes by the keys ioredis reads from its own command, and a
   * prefix is ioredis's to add: those take its usual path.
   */
  private readonly encoded: Map<string, FcallEncoding> | undefined;

  constructor(
    private readonly redis: Redis | Cluster,
    private readonly scripts: RunnableScripts<Name>,
  ) {
    this.encoded = redis instanceof Redis && !redis.options.keyPrefix ? new Map() : undefined;
  }

  call(name: Name, keysAndArgs: ScriptCallArg[], retried = false): Promise<unknown> {
    if (this.encoded && this.mode === 'function') {
      const last = keysAndArgs[keysAndArgs.length - 1];
      const { functions, guarded } = this.scripts.library();
      const fn = typeof last === 'object' ? guarded[name] : functions[name];
      let encoding = this.encoded.get(fn);
      if (!encoding) this.encoded.set(fn, (encoding = new FcallEncoding(fn)));
      const command = encoding.command(keysAndArgs, this.scripts.keys[name]);
      (this.redis as Redis).sendCommand(command);
      const reply = command.promise as Promise<unknown>;
      return retried ? reply : reply.catch((err: unknown) => this.recover(err, name, keysAndArgs));
    }
    const last = keysAndArgs[keysAndArgs.length - 1];
    const guard = typeof last === 'object' ? last : undefined;
    const plain = (guard ? keysAndArgs.slice(0, -1) : keysAndArgs) as ScriptArg[];
    const keys = this.scripts.keys[name];
    const all = guard ? [...plain.slice(0, keys), guard.key, ...plain.slice(keys), guard.value] : plain;
    const numKeys = guard ? keys + 1 : keys;
    if (this.mode === 'eval') return this.eval(name, guard !== undefined, numKeys, all);
    const fn = guard ? this.scripts.library().guarded[name] : this.scripts.library().functions[name];
    const reply = this.redis.fcall(fn, numKeys, ...all);
    return retried ? reply : reply.catch((err: unknown) => this.recover(err, name, keysAndArgs));
  }

  /** Loads the library (on every master of a cluster); any refusal switches to EVALSHA. */
  load(): Promise<void> {
    this.loading ??= this.loadOnce().finally(() => {
      this.loading = undefined;
    });
    return this.loading;
  }

  private async loadOnce(): Promise<void> {
    const { code } = this.scripts.library();
    const targets = this.redis.isCluster ? (this.redis as Cluster).nodes('master') : [this.redis];
    try {
      await Promise.all(targets.map((node) => node.call('FUNCTION', 'LOAD', 'REPLACE', code)));
    } catch (err) {
      // Redis 6 (unknown command), an ACL without FUNCTION, a server that refuses the library:
      // the scripts run as they are, with EVALSHA. Connection errors are not the server's answer.
      if (!(err instanceof ReplyError)) throw err;
      this.mode = 'eval';
    }
  }

  private async recover(err: unknown, name: Name, keysAndArgs: ScriptCallArg[]): Promise<unknown> {
    const message = err instanceof Error ? err.message : '';
    if (/Function not found/i.test(message)) {
      await this.load();
    } else if (/unknown command/i.test(message)) {
      this.mode = 'eval';
    } else {
      throw err;
    }
    return this.call(name, keysAndArgs, true);
  }

  private async eval(name: Name, guarded: boolean, keys: number, keysAndArgs: ScriptArg[]): Promise<unknown> {
    const lua = this.scripts.evalSource(name, guarded);
    const id = guarded ? `${name}:guarded` : name;
    let sha = this.shas.get(id);
    if (!sha) {
      sha = createHash('sha1').update(lua).digest('hex');
      this.shas.set(id, sha);
    }
    try {
      return await this.redis.evalsha(sha, keys, ...keysAndArgs);
    } catch (err) {
      if (!(err instanceof Error) || !err.message.includes('NOSCRIPT')) throw err;
      return this.redis.eval(lua, keys, ...keysAndArgs);
    }
  }
}
