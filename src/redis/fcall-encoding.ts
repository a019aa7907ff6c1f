/**
 * FCALL of a hot script encoded here and sent through ioredis's own queue (sendCommand), so that
 * replies, timeouts, reconnection and errors stay ioredis's. Its generic path copies the
 * arguments three times before encoding them (the caller's rest array, flat(), stringified)
 * and looks the command up in its tables on the way; a settle carries twenty-odd arguments.
 * Here the function's part of the command is encoded once, and each call appends its arguments
 * to it in one string, which the socket turns into bytes as it writes: measured against filling
 * one Buffer argument by argument, a native call each, the string took two thirds of the time.
 * RESP: an array of bulk strings, `*<count>\r\n` then `$<bytes>\r\n<bytes>\r\n` per element
 * (redis.io, RESP protocol specification).
 */
import { Command } from 'ioredis';
import type { ScriptArg, ScriptCallArg } from './script-call.js';

/** A command whose RESP was encoded by the caller; ioredis writes it as it is. */
class EncodedCommand extends Command {
  constructor(private readonly encoded: string) {
    super('fcall', [], { replyEncoding: 'utf8' });
  }

  override toWritable(): string {
    return this.encoded;
  }
}

function bulk(arg: ScriptArg): string {
  const text = typeof arg === 'string' ? arg : String(arg);
  return '$' + Buffer.byteLength(text, 'utf8') + '\r\n' + text + '\r\n';
}

/** One function of a library, called with FCALL: its name encoded once. */
export class FcallEncoding {
  /** `$5\r\nfcall\r\n$<n>\r\n<function>\r\n`, the same for every call. */
  private readonly head: string;

  constructor(fn: string) {
    this.head = `$5\r\nfcall\r\n$${Buffer.byteLength(fn, 'utf8')}\r\n${fn}\r\n`;
  }

  /**
   * The command for `FCALL fn numKeys ...`: the first `keys` of `keysAndArgs` are KEYS; a guard
   * ends them, its key put after the KEYS and its value after ARGV (script-call.ts).
   */
  command(keysAndArgs: readonly ScriptCallArg[], keys: number): Command {
    return new EncodedCommand(this.encode(keysAndArgs, keys));
  }

  encode(keysAndArgs: readonly ScriptCallArg[], keys: number): string {
    const last = keysAndArgs[keysAndArgs.length - 1];
    const guard = typeof last === 'object' ? last : undefined;
    const plain = guard ? keysAndArgs.length - 1 : keysAndArgs.length;
    let args = '';
    for (let i = 0; i < keys; i++) args += bulk(keysAndArgs[i] as ScriptArg);
    if (guard) args += bulk(guard.key);
    for (let i = keys; i < plain; i++) args += bulk(keysAndArgs[i] as ScriptArg);
    if (guard) args += bulk(guard.value);
    const count = plain + (guard ? 2 : 0) + 3;
    return '*' + count + '\r\n' + this.head + bulk(guard ? keys + 1 : keys) + args;
  }
}
