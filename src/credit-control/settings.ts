import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import type { FinalUnitIndication } from './types.js';

/**
 * How credit control answers, per service: default quotas, validity and thresholds (RFC 4006
 * §8.33, TS 32.299 §7.2), what happens when credit runs out, and Tcc supervision. Built-in
 * defaults suit a demo; operators override them with a YAML file (CHARGING_CONFIG).
 */
const serviceSchema = z.object({
  /** Units granted when a Requested-Service-Unit is empty (seconds, octets or messages). */
  defaultQuota: z.number().int().positive(),
  /** Largest grant, whatever is asked. */
  maxQuota: z.number().int().positive(),
  validityTime: z.number().int().positive(),
  quotaHoldingTime: z.number().int().positive().optional(),
  /** Time-, Volume- or Unit-Quota-Threshold (by the service's unit). */
  quotaThreshold: z.number().int().positive().optional(),
});

const finalUnitSchema = z.discriminatedUnion('action', [
  z.object({ action: z.literal('terminate') }),
  z.object({
    action: z.literal('redirect'),
    redirect: z.object({
      addressType: z.enum(['ipv4', 'ipv6', 'url', 'sip-uri']),
      address: z.string().min(1),
    }),
  }),
  z.object({
    action: z.literal('restrict-access'),
    restrictionFilterRules: z.array(z.string().min(1)).default([]),
    filterIds: z.array(z.string().min(1)).default([]),
  }),
]);

const settingsSchema = z.object({
  voice: serviceSchema.default({ defaultQuota: 300, maxQuota: 3600, validityTime: 3600 }),
  data: serviceSchema.default({
    defaultQuota: 10 * 1024 * 1024,
    maxQuota: 1024 * 1024 * 1024,
    validityTime: 3600,
    quotaHoldingTime: 300,
  }),
  sms: serviceSchema.default({ defaultQuota: 1, maxQuota: 100, validityTime: 3600 }),
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
        .regex(/^\d{0,3}$/)
        .default('0'),
      internationalPrefix: z
        .string()
        .regex(/^\d{0,4}$/)
        .default('00'),
      nationalNumberLength: z.number().int().min(0).max(15).default(0),
    })
    .default({ countryCode: '', nationalPrefix: '0', internationalPrefix: '00', nationalNumberLength: 0 }),
  /** Subscription-Id types that identify the served account; E.164 always does. */
  subscriptionIdTypes: z.array(z.enum(['e164', 'imsi', 'sip-uri', 'nai'])).default(['e164', 'sip-uri']),
  /** How long a closed session answers retransmissions of its last request. */
  closedSessionTtlSeconds: z.number().int().positive().default(300),
  /** Approximate cap of each account's CDR stream. */
  cdrMaxLen: z.number().int().positive().default(10_000),
  /** Answered to CCR-I with a grant (RFC 4006 §8.14). */
  creditControlFailureHandling: z.enum(['terminate', 'continue', 'retry-and-terminate']).default('terminate'),
});

export type ServiceSettings = z.infer<typeof serviceSchema>;
export type ChargingSettings = z.infer<typeof settingsSchema>;

export class ChargingSettingsError extends Error {
  override name = 'ChargingSettingsError';
}

export function chargingSettings(input: unknown = {}): ChargingSettings {
  const parsed = settingsSchema.safeParse(input);
  if (!parsed.success) {
    throw new ChargingSettingsError(
      `invalid charging settings:\n  ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('\n  ')}`,
    );
  }
  return parsed.data;
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
