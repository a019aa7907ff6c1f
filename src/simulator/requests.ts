import type { AvpDefinition, Dictionary } from '../diameter/dictionary.js';
import { MessageWriter } from '../diameter/encode.js';
import { AvpFlags, CommandFlags, type Avp } from '../diameter/message.js';

/** TS 32.299 Service-Context-Ids of the services the simulator drives. */
export const SERVICE_CONTEXT = {
  data: '32251@3gpp.org',
  voice: '32260@3gpp.org',
  sms: '32274@3gpp.org',
} as const;
export type Service = keyof typeof SERVICE_CONTEXT;

/** RFC 4006 §8.3 CC-Request-Type. */
export const RequestType = { initial: 1, update: 2, termination: 3, event: 4 } as const;

/** The unit of a service's Requested- and Used-Service-Unit. */
export const UNIT_OF: Record<Service, 'time' | 'octets' | 'messages'> = {
  voice: 'time',
  data: 'octets',
  sms: 'messages',
};

/** Seconds between 1900-01-01 (NTP era 0, RFC 6733 §4.3.1 Time) and 1970-01-01. */
const NTP_OFFSET = 2_208_988_800;

const CREDIT_CONTROL_APPLICATION = 4;
const CREDIT_CONTROL_COMMAND = 272;

export interface PeerIdentity {
  originHost: string;
  originRealm: string;
  destinationRealm: string;
}

/** An AVP encoded once, copied into every request. */
function constant(def: AvpDefinition, data: Buffer): Avp {
  return {
    code: def.code,
    vendorId: def.vendorId,
    flags: (def.vendorId ? AvpFlags.Vendor : 0) | (def.mandatory ? AvpFlags.Mandatory : 0),
    data,
  };
}

function u32(value: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(value >>> 0);
  return b;
}

/**
 * Writes Credit-Control-Requests straight into bytes (RFC 4006 §3.1, TS 32.299 §6.4.2), with
 * the AVP definitions looked up once and the AVPs that never change encoded once. One writer
 * per peer; the methods are called in message order:
 * `begin`, then `requestedAction` / `units` / `mscc` / `ims`, then `finish`.
 */
export class CcrWriter {
  private readonly w = new MessageWriter();
  private readonly head: Avp[];
  private readonly contexts: Record<Service, Avp>;
  private readonly d: {
    sessionId: AvpDefinition;
    ccRequestType: AvpDefinition;
    ccRequestNumber: AvpDefinition;
    eventTimestamp: AvpDefinition;
    subscriptionId: AvpDefinition;
    subscriptionIdType: AvpDefinition;
    subscriptionIdData: AvpDefinition;
    requestedAction: AvpDefinition;
    multipleServicesIndicator: AvpDefinition;
    mscc: AvpDefinition;
    rsu: AvpDefinition;
    usu: AvpDefinition;
    ratingGroup: AvpDefinition;
    ccTime: AvpDefinition;
    ccTotalOctets: AvpDefinition;
    ccServiceSpecificUnits: AvpDefinition;
    serviceInformation: AvpDefinition;
    imsInformation: AvpDefinition;
    nodeFunctionality: AvpDefinition;
    roleOfNode: AvpDefinition;
    callingPartyAddress: AvpDefinition;
    calledPartyAddress: AvpDefinition;
  };

  constructor(dict: Dictionary, identity: PeerIdentity) {
    const def = (name: string) => dict.avpByName(name);
    this.d = {
      sessionId: def('Session-Id'),
      ccRequestType: def('CC-Request-Type'),
      ccRequestNumber: def('CC-Request-Number'),
      eventTimestamp: def('Event-Timestamp'),
      subscriptionId: def('Subscription-Id'),
      subscriptionIdType: def('Subscription-Id-Type'),
      subscriptionIdData: def('Subscription-Id-Data'),
      requestedAction: def('Requested-Action'),
      multipleServicesIndicator: def('Multiple-Services-Indicator'),
      mscc: def('Multiple-Services-Credit-Control'),
      rsu: def('Requested-Service-Unit'),
      usu: def('Used-Service-Unit'),
      ratingGroup: def('Rating-Group'),
      ccTime: def('CC-Time'),
      ccTotalOctets: def('CC-Total-Octets'),
      ccServiceSpecificUnits: def('CC-Service-Specific-Units'),
      serviceInformation: def('Service-Information'),
      imsInformation: def('IMS-Information'),
      nodeFunctionality: def('Node-Functionality'),
      roleOfNode: def('Role-Of-Node'),
      callingPartyAddress: def('Calling-Party-Address'),
      calledPartyAddress: def('Called-Party-Address'),
    };
    const text = (name: string, value: string) => constant(def(name), Buffer.from(value, 'utf8'));
    this.head = [
      text('Origin-Host', identity.originHost),
      text('Origin-Realm', identity.originRealm),
      text('Destination-Realm', identity.destinationRealm),
      constant(def('Auth-Application-Id'), u32(CREDIT_CONTROL_APPLICATION)),
    ];
    this.contexts = {
      data: text('Service-Context-Id', SERVICE_CONTEXT.data),
      voice: text('Service-Context-Id', SERVICE_CONTEXT.voice),
      sms: text('Service-Context-Id', SERVICE_CONTEXT.sms),
    };
  }

  /** The common part of a CCR, in the order of RFC 4006 §3.1. */
  begin(
    hopByHop: number,
    sessionId: string,
    service: Service,
    requestType: number,
    requestNumber: number,
    msisdn: string,
    nowMs = Date.now(),
  ): this {
    const w = this.w;
    const d = this.d;
    w.begin({
      flags: CommandFlags.Request | CommandFlags.Proxiable,
      commandCode: CREDIT_CONTROL_COMMAND,
      applicationId: CREDIT_CONTROL_APPLICATION,
      hopByHop,
      endToEnd: hopByHop,
    });
    w.text(d.sessionId, sessionId);
    for (let i = 0; i < this.head.length; i++) w.raw(this.head[i]!);
    w.raw(this.contexts[service]);
    w.integer32(d.ccRequestType, requestType);
    w.unsigned32(d.ccRequestNumber, requestNumber);
    w.unsigned32(d.eventTimestamp, Math.floor(nowMs / 1000) + NTP_OFFSET);
    w.beginGroup(d.subscriptionId);
    w.integer32(d.subscriptionIdType, 0); // END_USER_E164
    w.text(d.subscriptionIdData, msisdn);
    w.endGroup();
    return this;
  }

  /** RFC 4006 §8.41; 0 is DIRECT_DEBITING. */
  requestedAction(action: number): this {
    this.w.integer32(this.d.requestedAction, action);
    return this;
  }

  multipleServicesIndicator(): this {
    this.w.integer32(this.d.multipleServicesIndicator, 1);
    return this;
  }

  /** Command-level Requested- and Used-Service-Unit; a negative amount leaves that AVP out. */
  units(service: Service, requested: number, used: number): this {
    if (requested >= 0) this.unitGroup(this.d.rsu, service, requested);
    if (used >= 0) this.unitGroup(this.d.usu, service, used);
    return this;
  }

  /**
   * One Multiple-Services-Credit-Control: a negative amount leaves that unit AVP out, a negative
   * rating group leaves Rating-Group out.
   */
  mscc(service: Service, ratingGroup: number, requested: number, used: number): this {
    const w = this.w;
    w.beginGroup(this.d.mscc);
    if (requested >= 0) this.unitGroup(this.d.rsu, service, requested);
    if (used >= 0) this.unitGroup(this.d.usu, service, used);
    if (ratingGroup >= 0) w.unsigned32(this.d.ratingGroup, ratingGroup);
    w.endGroup();
    return this;
  }

  /** Service-Information / IMS-Information of an originating leg (TS 32.299 §7.2.77). */
  ims(calling: string, called: string): this {
    const w = this.w;
    const d = this.d;
    w.beginGroup(d.serviceInformation).beginGroup(d.imsInformation);
    w.integer32(d.nodeFunctionality, 6); // AS
    w.integer32(d.roleOfNode, 0); // ORIGINATING_ROLE
    w.text(d.callingPartyAddress, calling);
    w.text(d.calledPartyAddress, called);
    w.endGroup().endGroup();
    return this;
  }

  finish(): Buffer {
    return this.w.finish();
  }

  private unitGroup(group: AvpDefinition, service: Service, amount: number): void {
    const w = this.w;
    w.beginGroup(group);
    switch (UNIT_OF[service]) {
      case 'time':
        w.unsigned32(this.d.ccTime, amount);
        break;
      case 'octets':
        w.unsigned64(this.d.ccTotalOctets, amount);
        break;
      case 'messages':
        w.unsigned64(this.d.ccServiceSpecificUnits, amount);
        break;
    }
    w.endGroup();
  }
}
