/**
 * Every Redis key of the VPN configuration is built here and nowhere else.
 *
 * All of them carry the one hash tag `{vpn}`, so that a script (registration checks the group,
 * its short numbers and the number's other memberships at once) touches one Redis Cluster slot
 * (DESIGN §5). VPN configuration is small next to the balances, whose keys are tagged per
 * account; the two never meet in one script, which is why a member's account is checked
 * before the registration script runs.
 */

/** Characters that would break the hash tag or the `:` layout of the keys. */
const PART = /^[A-Za-z0-9._-]{1,64}$/;

function assertPart(what: string, value: string): void {
  if (!PART.test(value)) {
    throw new RangeError(
      `${what} ${JSON.stringify(value)}: 1 to 64 letters, digits, dot, dash or underscore`,
    );
  }
}

export class VpnKeys {
  private readonly base: string;

  constructor(readonly prefix = '') {
    if (/[{}]/.test(prefix)) throw new RangeError(`key prefix ${JSON.stringify(prefix)}: no braces`);
    this.base = `${prefix}vpn:{vpn}:`;
  }

  /** Hash: group id -> JSON Group. */
  groups(): string {
    return `${this.base}groups`;
  }

  /** Hash: short number -> msisdn, one per group; its length is the group's member count. */
  shortNumbers(groupId: string): string {
    assertPart('group', groupId);
    return `${this.base}short:${groupId}`;
  }

  /** Hash: group id -> JSON MemberEntry, the number's memberships. */
  member(msisdn: string): string {
    assertPart('msisdn', msisdn);
    return `${this.base}member:${msisdn}`;
  }

  /** Hash: package id -> JSON Package. */
  packages(): string {
    return `${this.base}packages`;
  }

  /** Hash: msisdn -> JSON Activation. */
  activations(): string {
    return `${this.base}activations`;
  }

  /**
   * Hash: msisdn -> `<YYYY-MM>:<n>`, the sequence number of the next functional-fee charge of
   * that month (see feeOpId).
   */
  feeSequence(): string {
    return `${this.base}fee-seq`;
  }

  /** String: a token, held while a number's functional fee is charged and recorded. */
  lock(msisdn: string): string {
    assertPart('msisdn', msisdn);
    return `${this.base}lock:${msisdn}`;
  }

  /** String: a token, held by the one server instance running a month's run by itself. */
  monthlyRunLock(month: string): string {
    assertPart('month', month);
    return `${this.base}monthly-run:${month}:lock`;
  }

  /** String: the JSON summary of a month's run that left nothing undecided. */
  monthlyRunDone(month: string): string {
    assertPart('month', month);
    return `${this.base}monthly-run:${month}:done`;
  }
}
