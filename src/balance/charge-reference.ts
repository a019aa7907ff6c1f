import { randomBytes } from 'node:crypto';

/**
 * The reference of a charge that may be refunded by name (TS 32.299 §7.2.171
 * Refund-Information): 128 random bits as 32 lowercase hex digits. It is only a key to the
 * charge kept in Redis (lua/includes/charge.lua), so it says nothing of the amount, and cannot
 * be guessed for another charge.
 */
export function newChargeReference(): string {
  return randomBytes(16).toString('hex');
}

const REFERENCE = /^[0-9a-f]{32}$/;

/** Whether a value received from a client has the form of a reference this server gives. */
export function isChargeReference(value: string): boolean {
  return REFERENCE.test(value);
}
