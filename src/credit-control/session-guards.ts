import type { Guard } from '../balance/index.js';
import type { SessionRecord } from './session-record.js';

/**
 * Records taken from this instance's memory rather than Redis, with the guard that the first
 * write of their request must carry (SessionStore.recall): that write fails unless the stored
 * record is still the one remembered. Later writes of the request need none.
 */
export class SessionGuards {
  private readonly guards = new WeakMap<SessionRecord, Guard>();

  remember(record: SessionRecord, guard: Guard): void {
    this.guards.set(record, guard);
  }

  /** The guard the record's next write must carry, once. */
  take(record: SessionRecord): Guard | undefined {
    const guard = this.guards.get(record);
    this.guards.delete(record);
    return guard;
  }
}
