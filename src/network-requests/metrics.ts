import { Counter, type Registry } from 'prom-client';
import { OUTCOMES, TRIGGERS, type NetworkRequestKind, type Outcome, type Trigger } from './types.js';

/**
 * RARs and ASRs by trigger and outcome, counted once each by the instance that sent it over its
 * connection, or, for `no_peer`, by the one that found no instance to send it. Every series
 * exists from the start at 0, so that `increase()` sees the first one.
 */
export class NetworkRequestMetrics {
  private readonly sent: Record<NetworkRequestKind, Counter<'trigger' | 'outcome'>>;

  constructor(registry: Registry) {
    const counter = (kind: NetworkRequestKind, what: string) =>
      new Counter({
        name: `ocs_${kind}_sent_total`,
        help: `${what} sent to clients, by trigger and outcome (success, unknown_session, error, no_answer, no_peer)`,
        labelNames: ['trigger', 'outcome'],
        registers: [registry],
      });
    this.sent = {
      rar: counter('rar', 'Re-Auth-Requests (RFC 4006 §5.5)'),
      asr: counter('asr', 'Abort-Session-Requests (RFC 6733 §8.5)'),
    };
    for (const c of Object.values(this.sent))
      for (const trigger of TRIGGERS) for (const outcome of OUTCOMES) c.inc({ trigger, outcome }, 0);
  }

  count(kind: NetworkRequestKind, trigger: Trigger, outcome: Outcome): void {
    this.sent[kind].inc({ trigger, outcome });
  }
}
