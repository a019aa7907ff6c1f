/**
 * Writes what a charge of a number's functional fee (or an activation without one) decided,
 * only while the caller still holds the number's lock (see NumberLock).
 */
import type { Cluster, Redis } from 'ioredis';
import type { VpnChanges } from './changes.js';
import type { VpnKeys } from './keys.js';
import type { Activation } from './model.js';
import { encodeActivation } from './read.js';
import { VpnScriptCode, vpnErrorFromCode } from './script-codes.js';
import { scriptReply } from './scripts.js';

export class ActivationRecord {
  constructor(
    private readonly redis: Redis | Cluster,
    private readonly keys: VpnKeys,
    private readonly changes: VpnChanges,
  ) {}

  /** Writes an activation and/or the fee sequence, if the lock is still this caller's. */
  async write(token: string, msisdn: string, activation?: Activation, sequence = ''): Promise<void> {
    const reply = await this.redis.vpnRecord(
      this.keys.lock(msisdn),
      this.keys.activations(),
      this.keys.feeSequence(),
      token,
      msisdn,
      activation ? encodeActivation(activation) : '',
      sequence,
    );
    // Lost lock: nothing written. A charge already made is replayed by the next attempt (the
    // fee sequence did not move), never made twice.
    const { code, details } = scriptReply(reply);
    if (code !== VpnScriptCode.OK) throw vpnErrorFromCode(code, details, { msisdn });
    if (activation) await this.changes.publish('activation', msisdn);
  }
}
