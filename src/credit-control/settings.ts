import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { MAX_AMOUNT } from '../balance/index.js';
import type { FinalUnitIndication } from './types.js';

/*
 * How credit control answers, per service: default quotas, validity and thresholds (RFC 4006
 * §8.33, TS 32.299 §7.2), what happens when credit runs out, and Tcc supervision. Built-in
 * defaults suit a demo; operators override them with a YAML file (CHARGING_CONFIG).
 */

/**
 * One service's quotas: every field may be left out and takes the service's own default.
 * `absent` is what a file without the service gets besides those defaults (data then holds
 * quota for 300 s; a data section that leaves quotaHoldingTime out sends none).
 */
function serviceSchema(defaults: { defaultQuota: number; maxQuota: number }, absent = {}) {
  return z
    .object({
      /** Units granted when a Requested-Service-Unit is empty (seconds, octets or messages). */
      defaultQuota: z.number().int().positive().default(defaults.defaultQuota),
      /** Largest grant, whatever is asked. */
      maxQuota: z.number().int().positive().default(defaults.maxQuota),
      validityTime: z.number().int().positive().default(3600),
      quotaHoldingTime: z.number().int().positive().optional(),
      /** Time-, Volume- or Unit-Quota-Threshold (by the service's unit). */
      quotaThreshold: z.number().int().positive().optional(),
    })
    .strict()
    .prefault(absent);
}

const finalUnitSchema = z.discriminatedUnion('action', [
  z.object({ action: z.literal('terminate') }).strict(),
  z
    .object({
      action: z.literal('redirect'),
      redirect: z
        .object({
          addressType: z.enum(['ipv4', 'ipv6', 'url', 'sip-uri']),
          address: z.string().min(1),
        })
        .strict(),
    })
    .strict(),
  z
    .object({
      action: z.literal('restrict-access'),
      restrictionFilterRules: z.array(z.string().min(1)).default([]),
      filterIds: z.array(z.string().min(1)).default([]),
    })
    .strict(),
]);

/**
 * The settings file: every key optional with its documented default (README, Configuration),
 * and a key this server does not know refused, so that a misspelt one is not silently ignored.
 */
const settingsSchema = z
  .object({
    voice: serviceSchema({ defaultQuota: 300, maxQuota: 3600 }),
    data: serviceSchema(
      { defaultQuota: 10 * 1024 * 1024, maxQuota: 1024 * 1024 * 1024 },
      { quotaHoldingTime: 300 },
    ),
    sms: serviceSchema({ defaultQuota: 1, maxQuota: 100 }),
    finalUnit: finalUnitSchema.default({ action: 'terminate' }),
    /** RFC 4006 §7: a session silent past its Validity-Time plus this grace is closed (Tcc). */
    tccGraceSeconds: z.number().int().nonnegative().default(60),
    /** How Calling/Called-Party-Address numbers are brought to international form before rating. */
    numbering: z
      .object({
        countryCode: z
          .string()
          .regex(/^\d{0,3}$/, 'one to three digits, or empty')
          .default(''),
        nationalPrefix: z
          .string()
          .regex(/^\d{0,3}$/, 'up to three digits')
          .default('0'),
        internationalPrefix: z
          .string()
          .regex(/^\d{0,4}$/, 'up to four digits')
          .default('00'),
        nationalNumberLength: z.number().int().min(0).max(15).default(0),
      })
      .strict()
      .prefault({}),
    /**
     * Service-Context-Ids of clients that do not send TS 32.299's (`32251@3gpp.org` data,
     * `32260@3gpp.org` voice, `32274@3gpp.org` SMS), and the service each one is charged as.
     * Anything else is answered 5031.
     */
    serviceContexts: z
      .record(z.string().min(1).max(255), z.enum(['data', 'voice', 'sms']))
      .default({})
      .transform((contexts) =>
        Object.fromEntries(Object.entries(contexts).map(([id, kind]) => [id.toLowerCase(), kind])),
      ),
    /** Subscription-Id types that identify the served account; E.164 always does. */
    subscriptionIdTypes: z.array(z.enum(['e164', 'imsi', 'sip-uri', 'nai'])).default(['e164', 'sip-uri']),
    /** How long a closed session answers retransmissions of its last request. */
    closedSessionTtlSeconds: z.number().int().positive().default(300),
    /**
     * Approximate cap of each account's CDR stream, a safety net only: the exporter trims what it
     * has written to files by age (docs/export.md); the cap bounds an account's stream when no
     * exporter runs, at the cost of its oldest CDRs.
     */
    cdrMaxLen: z.number().int().positive().default(1_000_000),
    /**
     * Who may credit money over Diameter (CCR-Event REFUND_ACCOUNT, RFC 4006 §6.4): the peers
     * (Diameter identities of connected clients) allowed to, none by default, and the most
     * one request may credit, in minor units. Anything else is refused 4010. With
     * `chargeTtlSeconds`, a direct debit for one of these peers is kept that long and its
     * answer carries Refund-Information (TS 32.299 §7.2.171): a refund that names it is
     * bounded by what it took. Absent: debits carry none.
     */
    refunds: z
      .object({
        peers: z.array(z.string().min(1)).default([]),
        maxPerRequest: z.number().int().positive().max(MAX_AMOUNT).default(10_000),
        chargeTtlSeconds: z
          .number()
          .int()
          .positive()
          .max(400 * 86_400)
          .optional(),
      })
      .strict()
      .prefault({}),
    /** Answered to CCR-I with a grant (RFC 4006 §8.14). */
    creditControlFailureHandling: z
      .enum(['terminate', 'continue', 'retry-and-terminate'])
      .default('terminate'),
  })
  .strict();

export type ServiceSettings = z.infer<ReturnType<typeof serviceSchema>>;
export type ChargingSettings = z.infer<typeof settingsSchema>;

export class ChargingSettingsError extends Error {
  override name = 'ChargingSettingsError';
}

export function chargingSettings(input: unknown = {}): ChargingSettings {
  const parsed = settingsSchema.safeParse(input);
  if (!parsed.success) {
    throw new ChargingSettingsError(
      `invalid charging settings:\n  ${parsed.error.issues.map(describeIssue).join('\n  ')}`,
    );
  }
  return parsed.data;
}

/** `voice.maxQuota: Too small...`, and for a key the file should not have, its path and name. */
function describeIssue(issue: z.core.$ZodIssue): string {
  const at = issue.path.join('.');
  if (issue.code === 'unrecognized_keys') {
    const where = at ? `${at}.` : '';
    return issue.keys.map((k) => `${where}${k}: not a setting this server knows`).join('\n  ');
  }
  return `${at || '(the file)'}: ${issue.message}`;
}

/** Reads the YAML (or JSON) charging settings file; a missing path gives the defaults. */
export function loadChargingSettings(path: string | undefined): ChargingSettings {
  if (!path) return chargingSettings();
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ChargingSettingsError(`CHARGING_CONFIG=${path}: ${(err as Error).message}`);
  }
  return chargingSettings(parseYaml(text) ?? {});
}

export function finalUnitIndication(settings: ChargingSettings): FinalUnitIndication {
  return settings.finalUnit;
}
