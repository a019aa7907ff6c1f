import { expectSet } from './answer-check.js';
import { ShareCounter, WeightedPicker } from './pacing.js';
import { numberAt, type KindSpec, type NumberRange, type Scenario } from './scenario.js';
import { DataSession } from './data-session.js';
import { EventSession } from './event-session.js';
import type { SimSession } from './sessions.js';
import { VoiceSession } from './voice-session.js';

/** One entry of the scenario's mix, as the run uses it. */
export interface SessionKind {
  spec: KindSpec;
  /** The kind, numbered when the mix has it more than once: `voice`, `voice-2`. */
  name: string;
  /** expect[code] === 1 when the Result-Code is accepted. */
  expect: Uint8Array;
  pauseMs: number;
  serving: RangeCursor;
  called?: RangeCursor;
  vpn?: ShareCounter;
  shortCursor: number;
  /** Next of the kind's `destinations` (voice) or `apns` (data). */
  listCursor: number;
}

/** Walks a number range round and round. */
class RangeCursor {
  private i = 0;
  constructor(private readonly range: NumberRange) {}
  next(): string {
    const n = numberAt(this.range, this.i);
    this.i = (this.i + 1) % this.range.count;
    return n;
  }
}

function sessionKinds(scenario: Scenario): SessionKind[] {
  const counts = new Map<string, number>();
  const kinds = scenario.mix.map((spec) => {
    const n = (counts.get(spec.kind) ?? 0) + 1;
    counts.set(spec.kind, n);
    const k: SessionKind = {
      spec,
      name: n === 1 ? spec.kind : `${spec.kind}-${n}`,
      expect: expectSet(spec.expect ?? scenario.expect),
      pauseMs: spec.pauseSeconds * 1000,
      serving: new RangeCursor(scenario.msisdn),
      shortCursor: 0,
      listCursor: 0,
    };
    if (spec.kind === 'voice') {
      if (spec.calling) k.serving = new RangeCursor(spec.calling);
      if (spec.called) k.called = new RangeCursor(spec.called);
      if (spec.vpn) k.vpn = new ShareCounter(spec.vpn.share);
    }
    return k;
  });
  // Kinds that serve from the scenario's range share one cursor, so accounts are spread evenly.
  const shared = new RangeCursor(scenario.msisdn);
  for (const k of kinds) if (!(k.spec.kind === 'voice' && k.spec.calling)) k.serving = shared;
  return kinds;
}

/** New sessions of the scenario's mix: each kind in proportion to its weight, numbers in turn. */
export class SessionMaker {
  readonly kinds: readonly SessionKind[];
  private readonly picker: WeightedPicker;
  private readonly runTag = Date.now().toString(36);
  private seq = 0;

  constructor(scenario: Scenario) {
    this.kinds = sessionKinds(scenario);
    this.picker = new WeightedPicker(scenario.mix.map((k) => k.weight));
  }

  kind(index: number): SessionKind {
    return this.kinds[index]!;
  }

  /** The next session, on the peer of this index and Origin-Host. */
  make(peerIndex: number, originHost: string): SimSession {
    const ki = this.picker.next();
    const k = this.kinds[ki]!;
    const id = `${originHost};${this.runTag};${++this.seq}`;
    const msisdn = k.serving.next();
    const spec = k.spec;
    let s: SimSession;
    switch (spec.kind) {
      case 'data':
        s = new DataSession(ki, id, msisdn, spec, {
          apn: spec.apns?.[k.listCursor % spec.apns.length],
          sgsnMccMnc: spec.networks?.[k.listCursor % spec.networks.length],
        });
        k.listCursor++;
        break;
      case 'voice': {
        const vpn = k.vpn?.next() ?? false;
        let called: string;
        if (vpn && spec.vpn) {
          const shorts = spec.vpn.shortNumbers;
          called = spec.vpn.format.replaceAll('{short}', shorts[k.shortCursor++ % shorts.length]!);
        } else if (spec.destinations) {
          called = `tel:+${spec.destinations[k.listCursor++ % spec.destinations.length]!}`;
        } else {
          called = `tel:+${k.called!.next()}`;
        }
        s = new VoiceSession(ki, id, msisdn, spec, `tel:+${msisdn}`, called, vpn);
        break;
      }
      case 'sms':
      case 'debit':
        s = new EventSession(ki, id, msisdn, spec);
        break;
    }
    s.peer = peerIndex;
    return s;
  }
}
