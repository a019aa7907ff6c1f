import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { bundleSchema } from '../catalog/bundles.js';
import { tariffSchema } from '../catalog/schema.js';
import { ResultCode } from '../errors/result-codes.js';
import { DIAMETER_PORT, DIAMETER_TLS_PORT } from './ports.js';

/**
 * A load scenario (scenarios/README.md documents every field): which peers to open, how fast
 * to send, when to stop, which subscribers, which mix of sessions, which answers to expect,
 * and optionally what to provision first. Checked as a whole; every problem names its path.
 */

const positiveInt = z.number().int('must be a whole number').positive('must be greater than 0');
const nonNegativeInt = z.number().int('must be a whole number').nonnegative('must not be negative');
const positive = z.number().positive('must be greater than 0');
const digits = z
  .string({ error: 'must be digits in quotes, e.g. "8613800000001" (YAML reads bare digits as a number)' })
  .regex(/^\d{1,15}$/, 'must be 1 to 15 digits, e.g. "8613800000001"');

/** A block of consecutive numbers: `first`, `first + 1`, ... `first + count - 1`. */
const rangeSchema = z.object({ first: digits, count: positiveInt }).strict();
export type NumberRange = z.infer<typeof rangeSchema>;

/** Result-Codes run from 1xxx to 5xxx (RFC 6733 §7.1). */
export const RESULT_CODES = { min: 1000, max: 5999 } as const;
const resultCodes = z
  .array(z.number().int().min(RESULT_CODES.min).max(RESULT_CODES.max))
  .min(1, 'name at least one Result-Code');

const common = {
  /** Relative share of new sessions of this kind. */
  weight: positive.default(1),
  /** Seconds between one answer and the session's next request (0: at once). */
  pauseSeconds: z.number().nonnegative().default(0),
  /** Result-Codes accepted for this kind; defaults to the scenario's `expect`. */
  expect: resultCodes.optional(),
};

const dataSchema = z
  .object({
    kind: z.literal('data'),
    ...common,
    ratingGroups: z.array(nonNegativeInt).min(1, 'name at least one rating group').default([10]),
    /** CCR-Us between the CCR-I and the CCR-T. */
    updates: nonNegativeInt.default(2),
    /** CC-Total-Octets asked per rating group in the CCR-I and every CCR-U. */
    requestedOctets: positiveInt.default(1_048_576),
    /** CC-Total-Octets reported per rating group in every CCR-U and the CCR-T (at most what was granted). */
    usedOctets: nonNegativeInt.default(1_000_000),
    /** Called-Station-Id (the APN) of the sessions, taken in turn; none: not sent. */
    apns: z.array(z.string().min(1).max(100)).min(1).optional(),
    /** 3GPP-SGSN-MCC-MNC of the serving network of the sessions, taken in turn (roaming). */
    networks: z
      .array(z.string().regex(/^\d{5,6}$/, 'must be an MCC and MNC, 5 or 6 digits'))
      .min(1)
      .optional(),
  })
  .strict();

const vpnSchema = z
  .object({
    /** Short numbers dialled inside the group, in turn. */
    shortNumbers: z.array(z.string().regex(/^\d{1,10}$/, 'must be 1 to 10 digits')).min(1),
    /** Share of calls that dial a short number, 0 to 1. */
    share: z.number().min(0).max(1),
    /** How the short number is written in Called-Party-Address; `{short}` is replaced. */
    format: z.string().includes('{short}', { message: 'must contain {short}' }).default('tel:{short}'),
  })
  .strict();

const voiceSchema = z
  .object({
    kind: z.literal('voice'),
    ...common,
    callSeconds: positiveInt.default(90),
    /** CC-Time asked per request; the call reports its usage every chunk. */
    chunkSeconds: positiveInt.default(60),
    ratingGroup: nonNegativeInt.default(100),
    /** Served (calling) subscribers; defaults to the scenario's `msisdn` range. */
    calling: rangeSchema.optional(),
    /** Called numbers of the calls that are not VPN calls. */
    called: rangeSchema.optional(),
    /**
     * Or called numbers taken in turn (international digits), e.g. one for each destination
     * of the tariff; a barred one is answered 4010, so `expect` should allow it.
     */
    destinations: z
      .array(z.string().regex(/^\d{1,15}$/, 'must be 1 to 15 digits (E.164 without +)'))
      .min(1)
      .optional(),
    vpn: vpnSchema.optional(),
  })
  .strict();

const smsSchema = z
  .object({
    kind: z.literal('sms'),
    ...common,
    /** CC-Service-Specific-Units of each event. */
    messages: positiveInt.default(1),
    /** Sends the units in an MSCC with this Rating-Group; without it, at command level. */
    ratingGroup: nonNegativeInt.optional(),
  })
  .strict();

const debitSchema = z
  .object({
    kind: z.literal('debit'),
    ...common,
    /** The service whose Service-Context-Id and unit the debit uses. */
    service: z.enum(['voice', 'data', 'sms']).default('voice'),
    /** Units to debit: seconds, octets or messages. */
    units: positiveInt,
    ratingGroup: nonNegativeInt.optional(),
  })
  .strict();

const kindSchema = z.discriminatedUnion('kind', [dataSchema, voiceSchema, smsSchema, debitSchema]);
export type KindSpec = z.infer<typeof kindSchema>;
export type DataSpec = z.infer<typeof dataSchema>;
export type VoiceSpec = z.infer<typeof voiceSchema>;
export type SmsSpec = z.infer<typeof smsSchema>;
export type DebitSpec = z.infer<typeof debitSchema>;

const modeSchema = z.discriminatedUnion('type', [
  z
    .object({
      type: z.literal('rate'),
      /** Every CCR counts against this rate (follow-up requests wait for their turn). */
      ccrPerSecond: positive.optional(),
      /** New sessions per second; their follow-up requests go as soon as answers come. */
      sessionsPerSecond: positive.optional(),
      /** Seconds over which the rate climbs linearly from 0. */
      rampSeconds: z.number().nonnegative().default(0),
      /** Never more CCRs than this waiting for answers: the schedule slips instead. */
      maxInFlight: positiveInt.default(5000),
    })
    .strict(),
  z
    .object({
      type: z.literal('concurrency'),
      /** Sessions kept in progress: a finished one is replaced at once. */
      sessions: positiveInt,
    })
    .strict(),
]);

const stopSchema = z
  .object({
    duration: positive.optional(),
    /** Sessions to start in all. */
    sessions: positiveInt.optional(),
    /** After the stop, seconds to let open sessions send their remaining requests. */
    drainSeconds: z.number().nonnegative().default(10),
  })
  .strict();

const accountsSchema = z
  .object({
    first: digits,
    count: positiveInt,
    balance: nonNegativeInt.default(1_000_000),
    prepaid: z.boolean().default(true),
    status: z.enum(['active', 'blocked', 'lost']).default('active'),
    validUntil: z.string().optional(),
    /** Bundle ids the accounts are given (from `provision.bundles` or already on sale), fee from money. */
    bundles: z.array(z.string().min(1)).min(1).optional(),
  })
  .strict();
export type AccountsSpec = z.infer<typeof accountsSchema>;

const provisionSchema = z
  .object({
    /** A tariff in the provisioning document's format (DESIGN §6); every account gets it. */
    tariff: tariffSchema,
    /** Account ranges; default: the scenario's msisdn range with the default balance. */
    accounts: z.array(accountsSchema).min(1).optional(),
    /** Bundles put on sale first, in the provisioning document's format (docs/bundles.md). */
    bundles: z.array(bundleSchema).min(1).optional(),
  })
  .strict();

/** TLS to the server: PEM files, their paths relative to the working directory. */
const clientTlsSchema = z
  .object({
    /** The CAs that sign the server's certificate; default: Node's bundled public CAs. */
    ca: z.string().min(1).optional(),
    /** Our certificate and its key, for a server that asks for one (DIAMETER_TLS_CA). */
    cert: z.string().min(1).optional(),
    key: z.string().min(1).optional(),
    /** The name the server's certificate must carry; default: server.host. */
    servername: z.string().min(1).optional(),
  })
  .strict();
export type ClientTlsSpec = z.infer<typeof clientTlsSchema>;

const serverSchema = z
  .object({
    host: z.string().min(1).default('127.0.0.1'),
    port: z.number().int().min(1).max(65535).default(DIAMETER_PORT),
    tls: clientTlsSchema.optional(),
  })
  .strict();

/** Over TLS the port defaults to TLS's own. */
function defaultTlsPort(raw: unknown): unknown {
  if (typeof raw !== 'object' || raw === null || !('tls' in raw) || 'port' in raw) return raw;
  return { ...raw, port: DIAMETER_TLS_PORT };
}

const peersSchema = z
  .object({
    count: positiveInt.default(1),
    /** `{n}` is replaced by the peer's number, 1 upwards. */
    originHost: z.string().min(1).default('sim{n}.load.example'),
    originRealm: z.string().min(1).default('load.example'),
    destinationRealm: z.string().min(1).default('localdomain'),
    server: z.preprocess(defaultTlsPort, serverSchema).default({ host: '127.0.0.1', port: DIAMETER_PORT }),
  })
  .strict();

export const scenarioSchema = z
  .object({
    name: z.string().min(1).optional(),
    description: z.string().optional(),
    peers: peersSchema.default({
      count: 1,
      originHost: 'sim{n}.load.example',
      originRealm: 'load.example',
      destinationRealm: 'localdomain',
      server: { host: '127.0.0.1', port: DIAMETER_PORT },
    }),
    mode: modeSchema,
    stop: stopSchema,
    msisdn: rangeSchema,
    mix: z.array(kindSchema).min(1, 'name at least one kind of session'),
    expect: resultCodes.default([ResultCode.SUCCESS]),
    /** Seconds to wait for an answer before the request counts as timed out. */
    answerTimeoutSeconds: positive.default(5),
    provision: provisionSchema.optional(),
  })
  .strict();

export type Scenario = z.infer<typeof scenarioSchema>;

export class ScenarioError extends Error {
  override name = 'ScenarioError';
  constructor(
    readonly source: string,
    readonly problems: string[],
    what = 'not a valid scenario',
  ) {
    super(`${source}: ${what}:\n  ${problems.join('\n  ')}`);
  }
}

function pathOf(path: readonly PropertyKey[]): string {
  return (
    path.reduce<string>(
      (out, part) =>
        typeof part === 'number' ? `${out}[${part}]` : out ? `${out}.${String(part)}` : String(part),
      '',
    ) || '(scenario)'
  );
}

/** The number `index` places after the start of the range, as many digits as `first`. */
export function numberAt(range: NumberRange, index: number): string {
  return String(Number(range.first) + index).padStart(range.first.length, '0');
}

function rangeProblems(range: NumberRange, where: string): string[] {
  const last = String(Number(range.first) + range.count - 1);
  return last.length > range.first.length
    ? [`${where}: ${range.first} + ${range.count - 1} needs more digits than ${range.first}`]
    : [];
}

/** What zod cannot say: exactly one rate, exactly one stop, ranges that fit, VPN without numbers. */
function crossChecks(s: Scenario): string[] {
  const problems: string[] = [];
  if (
    s.mode.type === 'rate' &&
    (s.mode.ccrPerSecond === undefined) === (s.mode.sessionsPerSecond === undefined)
  )
    problems.push('mode: a rate mode needs exactly one of ccrPerSecond and sessionsPerSecond');
  if ((s.stop.duration === undefined) === (s.stop.sessions === undefined))
    problems.push('stop: name exactly one of duration (seconds) and sessions (a count)');
  problems.push(...rangeProblems(s.msisdn, 'msisdn'));
  const tls = s.peers.server.tls;
  if (tls && (tls.cert === undefined) !== (tls.key === undefined))
    problems.push('peers.server.tls: name both cert and key, or neither');
  s.mix.forEach((k, i) => {
    if (k.kind === 'voice') {
      if (k.calling) problems.push(...rangeProblems(k.calling, `mix[${i}].calling`));
      if (k.called) problems.push(...rangeProblems(k.called, `mix[${i}].called`));
      if (!k.called && !k.destinations && (k.vpn?.share ?? 0) < 1)
        problems.push(`mix[${i}].called: needed (or destinations) for the calls that are not VPN calls`);
    }
    if (k.kind === 'debit' && k.service === 'data' && k.ratingGroup === undefined)
      problems.push(`mix[${i}].ratingGroup: a data debit is rated by its rating group`);
    const tariff = s.provision?.tariff;
    if (tariff) {
      const priced =
        k.kind === 'data'
          ? k.ratingGroups.every((rg) => tariff.data?.ratingGroups[String(rg)])
          : k.kind === 'voice'
            ? tariff.voice !== undefined
            : k.kind === 'sms'
              ? tariff.sms !== undefined
              : k.service === 'data'
                ? tariff.data?.ratingGroups[String(k.ratingGroup)] !== undefined
                : tariff[k.service] !== undefined;
      if (!priced) problems.push(`mix[${i}]: provision.tariff has no price for this ${k.kind}`);
    }
  });
  s.provision?.accounts?.forEach((a, i) => problems.push(...rangeProblems(a, `provision.accounts[${i}]`)));
  return problems;
}

export function parseScenario(text: string, source = 'scenario'): Scenario {
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (err) {
    throw new ScenarioError(source, [`not valid YAML: ${(err as Error).message}`]);
  }
  const parsed = scenarioSchema.safeParse(raw ?? {});
  if (!parsed.success)
    throw new ScenarioError(
      source,
      parsed.error.issues.map((i) => `${pathOf(i.path)}: ${i.message}`),
    );
  const problems = crossChecks(parsed.data);
  if (problems.length) throw new ScenarioError(source, problems);
  return parsed.data;
}

export function loadScenario(path: string): Scenario {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ScenarioError(path, [(err as Error).message], 'cannot be read');
  }
  return parseScenario(text, path);
}

/** CCRs one session of this kind sends when every answer is a success. */
export function requestsPerSession(k: KindSpec): number {
  switch (k.kind) {
    case 'data':
      return k.updates + 2;
    case 'voice':
      return Math.ceil(k.callSeconds / k.chunkSeconds) + 1;
    case 'sms':
    case 'debit':
      return 1;
  }
}

/** The mix's average CCRs per session, weighted. */
export function meanRequestsPerSession(mix: readonly KindSpec[]): number {
  const total = mix.reduce((sum, k) => sum + k.weight, 0);
  return mix.reduce((sum, k) => sum + (k.weight / total) * requestsPerSession(k), 0);
}
