import { Counter, type Gauge, type Registry } from 'prom-client';
import { refusalResultCodes } from '../errors/catalogue.js';
import { ResultCode } from '../errors/result-codes.js';
import { CounterSeriesSet, type CounterSeries } from '../metrics/counter-series.js';
import type { Metrics } from '../metrics/metrics.js';
import type { RedisFailure } from '../redis/failures.js';
import { CLOSE_REASONS } from './session-record.js';
import type { ServiceKind } from './service-kind.js';
import type { RequestType } from './types.js';

/** The unit of each kind of service unit (TS 32.299 §7.1: CC-Time, CC-*-Octets, CC-Service-Specific-Units). */
export type UnitName = 'seconds' | 'octets' | 'messages';
export const UNIT_OF_SERVICE: Record<ServiceKind, UnitName> = {
  voice: 'seconds',
  data: 'octets',
  sms: 'messages',
};

const SERVICES: readonly ServiceKind[] = ['data', 'voice', 'sms'];
const REQUEST_TYPES: readonly RequestType[] = ['initial', 'update', 'termination', 'event'];
const UNSERVED: readonly (RedisFailure | 'deadline_passed')[] = ['timeout', 'unavailable', 'deadline_passed'];
/** Every Result-Code a service can be answered with: success and each refusal of the catalogue. */
const SERVICE_RESULT_CODES = [ResultCode.SUCCESS, ...refusalResultCodes()];

/** Shared state read from Redis at each scrape, the same on every instance. */
export interface SharedChargingState {
  /** Sessions open on any instance. */
  openSessions(): Promise<number>;
  /** Money frozen now, in minor units by currency. */
  reservedMoney(): Promise<Map<string, number>>;
  /** The currencies of the tariffs: each is reported, at 0 when nothing is frozen in it. */
  currencies(): Promise<string[]>;
}

/**
 * The charging logic's Prometheus metrics. Counters are per instance (sum them); the gauges of
 * open sessions and frozen money are read from Redis at the scrape, so they are the same on
 * every instance (take `max`). Units are counted apart, one metric per unit, and every error
 * series exists from the start at 0, so that `rate()` and `increase()` see the first one.
 */
export class ChargingMetrics {
  readonly sessionsOpened: Counter<'service'>;
  readonly sessionsClosed: Counter<'service' | 'reason'>;
  readonly serviceResults: Counter<'service' | 'request_type' | 'result_code'>;
  readonly unitsGranted: Record<UnitName, Counter<'service' | 'rating_group'>>;
  readonly unitsUsed: Record<UnitName, Counter<'service' | 'rating_group'>>;
  readonly finalUnits: Counter<'service'>;
  readonly moneyCharged: Counter<'currency'>;
  readonly moneyReserved: Gauge<'currency'>;
  readonly activeSessions: Gauge;
  readonly storeUnavailable: Counter<'request_type' | 'reason'>;
  /** The series counted per answer (counter-series.ts), by a key of their label values. */
  private readonly resultSeries = new CounterSeriesSet<'service' | 'request_type' | 'result_code'>();
  private readonly grantedSeries = unitSeriesSets();
  private readonly seriesByKey = new Map<string, CounterSeries<string>>();

  constructor(metrics: Metrics, state: SharedChargingState) {
    const registers = [metrics.registry];
    const resultSeries = this.resultSeries;
    this.sessionsOpened = new Counter({
      name: 'ocs_charging_sessions_opened_total',
      help: 'Credit-control sessions opened by a successful CCR-I',
      labelNames: ['service'],
      registers,
    });
    this.sessionsClosed = new Counter({
      name: 'ocs_charging_sessions_closed_total',
      help: 'Credit-control sessions and events closed, by reason (termination, tcc-expired, postpaid, event)',
      labelNames: ['service', 'reason'],
      registers,
    });
    this.serviceResults = new Counter({
      name: 'ocs_charging_service_results_total',
      help: 'Result-Codes of Multiple-Services-Credit-Control answers (per service, not per command)',
      labelNames: ['service', 'request_type', 'result_code'],
      registers,
      collect() {
        resultSeries.flush(this);
      },
    });
    this.unitsGranted = unitCounters(
      metrics.registry,
      'granted',
      'Service units granted',
      this.grantedSeries,
    );
    this.unitsUsed = unitCounters(metrics.registry, 'used', 'Service units reported used');
    this.finalUnits = new Counter({
      name: 'ocs_charging_final_unit_indications_total',
      help: 'Grants sent with Final-Unit-Indication (the last the account can pay for)',
      labelNames: ['service'],
      registers,
    });
    const moneyCharged = new Counter({
      name: 'ocs_charging_money_charged_total',
      help: 'Money charged, in minor units of the currency',
      labelNames: ['currency'],
      registers,
    });
    this.moneyCharged = moneyCharged;
    this.storeUnavailable = new Counter({
      name: 'ocs_charging_store_unavailable_total',
      help:
        'CCRs answered 5012 because Redis did not serve them in time: no answer within ' +
        'REDIS_COMMAND_TIMEOUT_MS (timeout), not connected (unavailable), or a charge run past ' +
        "the request's deadline (deadline_passed)",
      labelNames: ['request_type', 'reason'],
      registers,
    });
    this.activeSessions = metrics.sharedStateGauge({
      name: 'ocs_charging_sessions_active',
      help: 'Open credit-control sessions of all instances, read from Redis (the same on every instance: use max)',
      read: async () => [{ labels: {}, value: await state.openSessions() }],
    });
    this.moneyReserved = metrics.sharedStateGauge({
      name: 'ocs_charging_money_reserved',
      help:
        'Money frozen by open grants of all instances, in minor units of the currency, read from Redis ' +
        '(the same on every instance: use max; past 10,000 reservations a sum at most 10 s old)',
      labelNames: ['currency'],
      async read() {
        const [reserved, currencies] = await Promise.all([state.reservedMoney(), state.currencies()]);
        const byCurrency = new Map(currencies.map((c) => [currencyLabel(c), 0]));
        for (const [c, amount] of reserved)
          byCurrency.set(currencyLabel(c), (byCurrency.get(currencyLabel(c)) ?? 0) + amount);
        for (const currency of byCurrency.keys()) moneyCharged.inc({ currency }, 0);
        return [...byCurrency].map(([currency, value]) => ({ labels: { currency }, value }));
      },
    });
    this.startAtZero();
  }

  /** One service of an answer answered `resultCode`. */
  countServiceResult(service: ServiceKind, requestType: RequestType, resultCode: number): void {
    const key = `result|${service}|${requestType}|${resultCode}`;
    let series = this.seriesByKey.get(key);
    if (!series) {
      const labels = { service, request_type: requestType, result_code: String(resultCode) };
      this.seriesByKey.set(key, (series = this.resultSeries.series(labels)));
    }
    series.inc();
  }

  /** Units granted to a rating group of a service. */
  countGranted(unit: UnitName, service: ServiceKind, ratingGroup: number, units: number): void {
    const key = `granted|${unit}|${service}|${ratingGroup}`;
    let series = this.seriesByKey.get(key);
    if (!series) {
      const labels = { service, rating_group: String(ratingGroup) };
      this.seriesByKey.set(key, (series = this.grantedSeries[unit].series(labels)));
    }
    series.inc(units);
  }

  private startAtZero(): void {
    for (const service of SERVICES) {
      this.finalUnits.inc({ service }, 0);
      for (const reason of CLOSE_REASONS) this.sessionsClosed.inc({ service, reason }, 0);
      for (const request_type of REQUEST_TYPES) {
        for (const code of SERVICE_RESULT_CODES) {
          this.serviceResults.inc({ service, request_type, result_code: String(code) }, 0);
        }
      }
    }
    for (const request_type of REQUEST_TYPES) {
      for (const reason of UNSERVED) this.storeUnavailable.inc({ request_type, reason }, 0);
    }
  }
}

/** The label of an account's currency ('none' for an account whose tariff names none). */
export function currencyLabel(currency: string): string {
  return currency || 'none';
}

function unitSeriesSets(): Record<UnitName, CounterSeriesSet<'service' | 'rating_group'>> {
  return {
    seconds: new CounterSeriesSet(),
    octets: new CounterSeriesSet(),
    messages: new CounterSeriesSet(),
  };
}

function unitCounters(
  registry: Registry,
  what: 'granted' | 'used',
  help: string,
  series?: Record<UnitName, CounterSeriesSet<'service' | 'rating_group'>>,
): Record<UnitName, Counter<'service' | 'rating_group'>> {
  const counter = (unit: UnitName) =>
    new Counter({
      name: `ocs_charging_${what}_${unit}_total`,
      help: `${help}, in ${unit}, by service and rating group`,
      labelNames: ['service', 'rating_group'],
      registers: [registry],
      collect() {
        series?.[unit].flush(this);
      },
    });
  return { seconds: counter('seconds'), octets: counter('octets'), messages: counter('messages') };
}
