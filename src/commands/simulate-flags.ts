import { DIAMETER_PORT, DIAMETER_TLS_PORT } from '../simulator/ports.js';
import type { ClientTlsSpec, Scenario } from '../simulator/scenario.js';
import { readArgs, type ArgSpec } from './arguments.js';
import { UsageError } from './command.js';

export interface SimulateFlags {
  file: string;
  host?: string;
  port?: number;
  duration?: number;
  rate?: number;
  json?: string;
  svg?: string;
  redis?: string;
  serverPids?: number[];
  /** Set by any of the --tls flags: connect over TLS. */
  tls?: ClientTlsSpec;
  quiet: boolean;
}

export const SIMULATE_ARGS = {
  flags: {
    host: {
      type: 'string',
      value: 'H',
      meaning: "the server's address (default: the scenario's peers.server)",
    },
    port: { type: 'string', value: 'P', meaning: "the server's port (default: the scenario's peers.server)" },
    duration: {
      type: 'string',
      value: 'S',
      meaning: "stop starting sessions after S seconds (default: the scenario's)",
    },
    rate: {
      type: 'string',
      value: 'R',
      meaning: "pace every CCR at R per second, keeping the scenario's ramp",
    },
    redis: {
      type: 'string',
      value: 'URL',
      meaning: "provision the scenario's tariff and accounts there first, and check the balances after",
    },
    json: { type: 'string', value: 'FILE', meaning: 'write the report as JSON' },
    svg: { type: 'string', value: 'FILE', meaning: 'write a latency-by-percentile plot' },
    'server-pid': {
      type: 'string',
      multiple: true,
      value: 'PID,...',
      meaning: "also report these processes' CPU per CCR (the server, its Redis)",
    },
    quiet: { type: 'boolean', meaning: 'no progress line' },
    tls: {
      type: 'boolean',
      meaning:
        'connect over TLS (RFC 6733 §2.1), to 5658 where the scenario says 3868; any --tls-* implies it',
    },
    'tls-ca': { type: 'string', value: 'FILE', meaning: "PEM CAs that sign the server's certificate" },
    'tls-cert': {
      type: 'string',
      value: 'FILE',
      meaning: 'PEM certificate of the peers, for a server that asks',
    },
    'tls-key': { type: 'string', value: 'FILE', meaning: 'PEM private key of --tls-cert' },
    'tls-servername': {
      type: 'string',
      value: 'NAME',
      meaning: "the name the server's certificate must carry (default: the host)",
    },
  },
  required: ['SCENARIO'],
} as const satisfies ArgSpec;

function positiveNumber(flag: string, value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) {
    throw new UsageError(`ocs simulate: ${flag} ${value}: a positive number is needed`);
  }
  return n;
}

function whole(flag: string, value: string, what: string, max = Number.MAX_SAFE_INTEGER): number {
  const n = positiveNumber(flag, value);
  if (!Number.isInteger(n) || n > max) throw new UsageError(`ocs simulate: ${flag} ${value}: not ${what}`);
  return n;
}

export function parseFlags(args: readonly string[]): SimulateFlags {
  const { values: v, positionals } = readArgs('simulate', args, SIMULATE_ARGS);
  const flags: SimulateFlags = { file: positionals[0]!, quiet: v.quiet ?? false };
  if (v.host !== undefined) flags.host = v.host;
  if (v.port !== undefined) flags.port = whole('--port', v.port, 'a port', 65535);
  if (v.duration !== undefined) flags.duration = positiveNumber('--duration', v.duration);
  if (v.rate !== undefined) flags.rate = positiveNumber('--rate', v.rate);
  if (v.json !== undefined) flags.json = v.json;
  if (v.svg !== undefined) flags.svg = v.svg;
  if (v.redis !== undefined) flags.redis = v.redis;
  const pids = v['server-pid']?.flatMap((list) => list.split(','));
  if (pids) flags.serverPids = pids.map((pid) => whole('--server-pid', pid, 'a process id'));
  const tls: ClientTlsSpec = {
    ...(v['tls-ca'] !== undefined ? { ca: v['tls-ca'] } : {}),
    ...(v['tls-cert'] !== undefined ? { cert: v['tls-cert'] } : {}),
    ...(v['tls-key'] !== undefined ? { key: v['tls-key'] } : {}),
    ...(v['tls-servername'] !== undefined ? { servername: v['tls-servername'] } : {}),
  };
  if (v.tls || Object.keys(tls).length > 0) flags.tls = tls;
  if ((tls.cert === undefined) !== (tls.key === undefined))
    throw new UsageError('ocs simulate: --tls-cert and --tls-key go together');
  return flags;
}

/** The scenario with the command line's overrides: server, duration, CCR rate. */
export function withOverrides(scenario: Scenario, flags: SimulateFlags): Scenario {
  const s: Scenario = structuredClone(scenario);
  if (flags.host) s.peers.server.host = flags.host;
  if (flags.tls) {
    // TLS has a port of its own (RFC 6733 §2.1): a scenario aimed at TCP's goes there instead.
    if (!s.peers.server.tls && s.peers.server.port === DIAMETER_PORT) s.peers.server.port = DIAMETER_TLS_PORT;
    s.peers.server.tls = { ...s.peers.server.tls, ...flags.tls };
  }
  if (flags.port) s.peers.server.port = flags.port;
  if (flags.duration) s.stop = { drainSeconds: s.stop.drainSeconds, duration: flags.duration };
  if (flags.rate) {
    const ramp = s.mode.type === 'rate' ? s.mode.rampSeconds : 0;
    const maxInFlight = s.mode.type === 'rate' ? s.mode.maxInFlight : 5000;
    s.mode = { type: 'rate', ccrPerSecond: flags.rate, rampSeconds: ramp, maxInFlight };
  }
  return s;
}
