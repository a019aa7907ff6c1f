import { Counter, Gauge, type Registry } from 'prom-client';
import { refusalResultCodes } from '../errors/catalogue.js';
import { CounterSeriesSet, type CounterSeries } from '../metrics/counter-series.js';
import { SeriesHistogram, type HistogramSeries } from '../metrics/histogram-series.js';
import { ResultCode } from '../errors/result-codes.js';
import { HEADER_LENGTH } from './message.js';

const COMMAND_NAMES: Record<number, string> = {
  257: 'CE',
  258: 'RA',
  271: 'AC',
  272: 'CC',
  274: 'AS',
  275: 'ST',
  280: 'DW',
  282: 'DP',
};
const REQUEST_TYPES = ['', 'INITIAL', 'UPDATE', 'TERMINATION', 'EVENT'];

const RESULT_CODES: readonly number[] = Object.values(ResultCode);
/** Result-Codes of the base protocol's errors (RFC 6733 §7.1.3, §7.1.5): what the protocol layer refuses with. */
const PROTOCOL_ERROR_CODES = RESULT_CODES.filter((c) => (c >= 3000 && c < 4000) || (c > 5000 && c < 5020));
/**
 * What a Credit-Control-Answer carries at command level: success, each refusal of the
 * catalogue, and 3004 when the server sheds load (RFC 6733 §7.1.3).
 */
const CC_RESULT_CODES = [ResultCode.SUCCESS, ResultCode.TOO_BUSY, ...refusalResultCodes()];

export function commandName(code: number): string {
  return COMMAND_NAMES[code] ?? String(code);
}

/** CC-Request-Type label of a CCR ('' for other commands or when it is missing or bad). */
export function requestTypeLabel(value: number | undefined): string {
  return (value !== undefined && REQUEST_TYPES[value]) || '';
}

/** The top-level Result-Code of an encoded answer, read without decoding the rest. */
export function resultCodeOf(answer: Buffer): number {
  let offset = HEADER_LENGTH;
  while (offset + 12 <= answer.length) {
    const code = answer.readUInt32BE(offset);
    const flags = answer[offset + 4]!;
    const length = answer.readUIntBE(offset + 5, 3);
    if (code === 268 && (flags & 0x80) === 0 && length === 12) return answer.readUInt32BE(offset + 8);
    if (length < 8) break;
    offset += (length + 3) & ~3;
  }
  return 0;
}

/** What the answers to one command and CC-Request-Type update, made on the first of them. */
interface AnsweredSeries {
  labels: { command: string; request_type: string };
  requests: CounterSeries<'command' | 'request_type'>;
  latency: HistogramSeries<'command' | 'request_type'>;
  /** By Result-Code. */
  answers: Map<number, CounterSeries<'command' | 'request_type' | 'result_code'>>;
}

export interface DiameterMetricSources {
  /** Connections by transport (`tcp`, `tls`), then by peer state. */
  peersByTransport(): Record<string, Record<string, number>>;
  inFlight(): number;
}

/** The Diameter layer's Prometheus metrics (owned here, registered in the server's registry). */
export class DiameterMetrics {
  readonly requests: Counter<'command' | 'request_type'>;
  readonly answers: Counter<'command' | 'request_type' | 'result_code'>;
  readonly latency: SeriesHistogram<'command' | 'request_type'>;
  readonly protocolErrors: Counter<'result_code'>;
  readonly watchdogFailures: Counter;
  readonly peers: Gauge<'state' | 'transport'>;
  readonly inFlight: Gauge;
  readonly tlsHandshakeFailures: Counter;
  private readonly requestSeries = new CounterSeriesSet<'command' | 'request_type'>();
  private readonly answerSeries = new CounterSeriesSet<'command' | 'request_type' | 'result_code'>();
  /** By command code, then CC-Request-Type label. */
  private readonly series = new Map<number, Map<string, AnsweredSeries>>();

  constructor(registry: Registry, sources: DiameterMetricSources) {
    const registers = [registry];
    const { requestSeries, answerSeries } = this;
    this.requests = new Counter({
      name: 'ocs_diameter_requests_total',
      help: 'Diameter requests received, by command and CC-Request-Type',
      labelNames: ['command', 'request_type'],
      registers,
      collect() {
        requestSeries.flush(this);
      },
    });
    this.answers = new Counter({
      name: 'ocs_diameter_answers_total',
      help: 'Diameter answers sent, by command, CC-Request-Type and top-level Result-Code',
      labelNames: ['command', 'request_type', 'result_code'],
      registers,
      collect() {
        answerSeries.flush(this);
      },
    });
    this.latency = new SeriesHistogram({
      name: 'ocs_diameter_request_duration_seconds',
      help: 'Time from a request being framed to its answer being written',
      labelNames: ['command', 'request_type'],
      buckets: [
        0.0001, 0.00025, 0.0005, 0.00075, 0.001, 0.0015, 0.002, 0.003, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 1,
      ],
      registers,
    });
    this.protocolErrors = new Counter({
      name: 'ocs_diameter_protocol_errors_total',
      help: 'Requests refused by the protocol layer (framing, grammar, values, state), by Result-Code',
      labelNames: ['result_code'],
      registers,
    });
    this.watchdogFailures = new Counter({
      name: 'ocs_diameter_watchdog_failures_total',
      help: 'Connections closed because the peer stayed silent past the watchdog (RFC 3539)',
      registers,
    });
    this.peers = new Gauge({
      name: 'ocs_diameter_peers',
      help: 'Diameter connections by state (wait-cer, open, closing) and transport (tcp, tls)',
      labelNames: ['state', 'transport'],
      registers,
      collect() {
        this.reset();
        for (const [transport, states] of Object.entries(sources.peersByTransport())) {
          for (const [state, n] of Object.entries(states)) this.set({ state, transport }, n);
        }
      },
    });
    this.tlsHandshakeFailures = new Counter({
      name: 'ocs_diameter_tls_handshake_failures_total',
      help: 'TLS connections refused at the handshake (untrusted or missing certificate, timeout...)',
      registers,
    });
    this.inFlight = new Gauge({
      name: 'ocs_diameter_requests_in_flight',
      help: 'Requests being served now',
      registers,
      collect() {
        this.set(sources.inFlight());
      },
    });
    this.startAtZero();
  }

  /**
   * The error series exist from the start at 0, so that `rate()` and `increase()` see the first
   * error (a series born at 1 shows no increase) and a dashboard shows 0 rather than no data.
   */
  private startAtZero(): void {
    for (const code of PROTOCOL_ERROR_CODES) this.protocolErrors.inc({ result_code: String(code) }, 0);
    for (const request_type of REQUEST_TYPES.slice(1)) {
      for (const code of CC_RESULT_CODES) {
        this.answers.inc({ command: 'CC', request_type, result_code: String(code) }, 0);
      }
    }
  }

  /** Records one answered request. */
  answered(commandCode: number, requestType: string, resultCode: number, seconds: number): void {
    const series = this.seriesOf(commandCode, requestType);
    series.requests.inc();
    let answers = series.answers.get(resultCode);
    if (!answers) {
      answers = this.answerSeries.series({ ...series.labels, result_code: String(resultCode) });
      series.answers.set(resultCode, answers);
    }
    answers.inc();
    series.latency.observe(seconds);
  }

  private seriesOf(commandCode: number, requestType: string): AnsweredSeries {
    let byType = this.series.get(commandCode);
    if (!byType) this.series.set(commandCode, (byType = new Map()));
    let series = byType.get(requestType);
    if (!series) {
      const labels = { command: commandName(commandCode), request_type: requestType };
      series = {
        labels,
        requests: this.requestSeries.series({ ...labels }),
        latency: this.latency.series({ ...labels }),
        answers: new Map(),
      };
      byType.set(requestType, series);
    }
    return series;
  }
}
