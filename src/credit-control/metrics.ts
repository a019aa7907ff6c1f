import { Counter, Gauge, type Registry } from 'prom-client';

/**
 * The charging logic's Prometheus metrics. Counters are per instance (Prometheus sums them);
 * `money_reserved` moves by what each instance froze and released, so its sum across
 * instances is the money frozen now, even when a session moves between instances.
 */
export class ChargingMetrics {
  readonly sessionsOpened: Counter<'service'>;
  readonly sessionsClosed: Counter<'service' | 'reason'>;
  readonly serviceResults: Counter<'service' | 'request_type' | 'result_code'>;
  readonly unitsGranted: Counter<'service' | 'rating_group'>;
  readonly unitsUsed: Counter<'service' | 'rating_group'>;
  readonly finalUnits: Counter<'service'>;
  readonly moneyReserved: Gauge;
  readonly moneyCharged: Counter<'currency'>;
  readonly activeSessions: Gauge;
  readonly storeUnavailable: Counter<'request_type' | 'reason'>;

  constructor(registry: Registry, activeSessions: () => Promise<number>) {
    const registers = [registry];
    this.sessionsOpened = new Counter({
      name: 'ocs_charging_sessions_opened_total',
      help: 'Credit-control sessions opened by a successful CCR-I',
      labelNames: ['service'],
      registers,
    });
    this.sessionsClosed = new Counter({
      name: 'ocs_charging_sessions_closed_total',
      help: 'Credit-control sessions closed, by reason (termination, tcc-expired, postpaid)',
      labelNames: ['service', 'reason'],
      registers,
    });
    this.serviceResults = new Counter({
      name: 'ocs_charging_service_results_total',
      help: 'Result-Codes of Multiple-Services-Credit-Control answers (per service, not per command)',
      labelNames: ['service', 'request_type', 'result_code'],
      registers,
    });
    this.unitsGranted = new Counter({
      name: 'ocs_charging_units_granted_total',
      help: 'Service units granted (seconds, octets or messages), by service and rating group',
      labelNames: ['service', 'rating_group'],
      registers,
    });
    this.unitsUsed = new Counter({
      name: 'ocs_charging_units_used_total',
      help: 'Service units reported used, by service and rating group',
      labelNames: ['service', 'rating_group'],
      registers,
    });
    this.finalUnits = new Counter({
      name: 'ocs_charging_final_unit_indications_total',
      help: 'Grants sent with Final-Unit-Indication (the last the account can pay for)',
      labelNames: ['service'],
      registers,
    });
    this.moneyReserved = new Gauge({
      name: 'ocs_charging_money_reserved',
      help: 'Money frozen by open grants, in minor units (sum across instances)',
      registers,
    });
    this.moneyCharged = new Counter({
      name: 'ocs_charging_money_charged_total',
      help: 'Money charged, in minor units of the currency',
      labelNames: ['currency'],
      registers,
    });
    this.storeUnavailable = new Counter({
      name: 'ocs_charging_store_unavailable_total',
      help:
        'CCRs answered 5012 because Redis did not serve them in time: no answer within ' +
        'REDIS_COMMAND_TIMEOUT_MS (timeout), not connected (unavailable), or a charge run past ' +
        "the request's deadline (deadline_passed)",
      labelNames: ['request_type', 'reason'],
      registers,
    });
    this.activeSessions = new Gauge({
      name: 'ocs_charging_sessions_active',
      help: 'Open credit-control sessions, read from Redis (the same on every instance: use max)',
      registers,
      async collect() {
        this.set(await activeSessions().catch(() => 0));
      },
    });
  }
}
