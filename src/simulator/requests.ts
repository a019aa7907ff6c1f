import { resolveAvps, type Avps } from '../diameter/avps.js';
import { defaultDictionary, type AvpDefinition, type Dictionary } from '../diameter/dictionary.js';
import { MessageWriter } from '../diameter/encode.js';
import { AvpFlags, CommandFlags, type Avp } from '../diameter/message.js';

/** TS 32.299 Service-Context-Ids of the services the simulator drives. */
export const SERVICE_CONTEXT = {
  data: '32251@3gpp.org',
  voice: '32260@3gpp.org',
  sms: '32274@3gpp.org',
} as const;
export type Service = keyof typeof SERVICE_CONTEXT;

const ccRequestType = (name: string) => defaultDictionary().enumValue('CC-Request-Type', name);

/** RFC 4006 §8.3 CC-Request-Type, as the dictionary numbers it. */
export const RequestType = {
  initial: ccRequestType('INITIAL_REQUEST'),
  update: ccRequestType('UPDATE_REQUEST'),
  termination: ccRequestType('TERMINATION_REQUEST'),
  event: ccRequestType('EVENT_REQUEST'),
} as const;

/** RFC 4006 §8.41 Requested-Action, as the dictionary numbers it. */
export const RequestedAction = {
  directDebiting: defaultDictionary().enumValue('Requested-Action', 'DIRECT_DEBITING'),
} as const;

/** The unit of a service's Requested- and Used-Service-Unit. */
export const UNIT_OF: Record<Service, 'time' | 'octets' | 'messages'> = {
  voice: 'time',
  data: 'octets',
  sms: 'messages',
};

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
  private readonly d: Avps;
  private readonly flags: number;
  private readonly commandCode: number;
  private readonly applicationId: number;
  /** Enumerated values the writer always sends the same, by the dictionary's names. */
  private readonly e164: number;
  private readonly multipleServicesSupported: number;
  private readonly applicationServer: number;
  private readonly originatingRole: number;

  constructor(dict: Dictionary, identity: PeerIdentity) {
    const d = (this.d = resolveAvps(dict));
    const creditControl = dict.commandByName('Credit-Control');
    this.flags = CommandFlags.Request | (creditControl.proxiable ? CommandFlags.Proxiable : 0);
    this.commandCode = creditControl.code;
    this.applicationId = creditControl.applicationId;
    this.e164 = dict.enumValue('Subscription-Id-Type', 'END_USER_E164');
    this.multipleServicesSupported = dict.enumValue(
      'Multiple-Services-Indicator',
      'MULTIPLE_SERVICES_SUPPORTED',
    );
    this.applicationServer = dict.enumValue('Node-Functionality', 'AS');
    this.originatingRole = dict.enumValue('Role-Of-Node', 'ORIGINATING_ROLE');
    const text = (def: AvpDefinition, value: string) => constant(def, Buffer.from(value, 'utf8'));
    this.head = [
      text(d.originHost, identity.originHost),
      text(d.originRealm, identity.originRealm),
      text(d.destinationRealm, identity.destinationRealm),
      constant(d.authApplicationId, u32(this.applicationId)),
    ];
    this.contexts = {
      data: text(d.serviceContextId, SERVICE_CONTEXT.data),
      voice: text(d.serviceContextId, SERVICE_CONTEXT.voice),
      sms: text(d.serviceContextId, SERVICE_CONTEXT.sms),
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
      flags: this.flags,
      commandCode: this.commandCode,
      applicationId: this.applicationId,
      hopByHop,
      endToEnd: hopByHop,
    });
    w.text(d.sessionId, sessionId);
    for (let i = 0; i < this.head.length; i++) w.raw(this.head[i]!);
    w.raw(this.contexts[service]);
    w.integer32(d.ccRequestType, requestType);
    w.unsigned32(d.ccRequestNumber, requestNumber);
    w.time(d.eventTimestamp, new Date(nowMs));
    w.beginGroup(d.subscriptionId);
    w.integer32(d.subscriptionIdType, this.e164);
    w.text(d.subscriptionIdData, msisdn);
    w.endGroup();
    return this;
  }

  /** RFC 4006 §8.41: one of RequestedAction. */
  requestedAction(action: number): this {
    this.w.integer32(this.d.requestedAction, action);
    return this;
  }

  multipleServicesIndicator(): this {
    this.w.integer32(this.d.multipleServicesIndicator, this.multipleServicesSupported);
    return this;
  }

  /** Command-level Requested- and Used-Service-Unit; a negative amount leaves that AVP out. */
  units(service: Service, requested: number, used: number): this {
    if (requested >= 0) this.unitGroup(this.d.requestedServiceUnit, service, requested);
    if (used >= 0) this.unitGroup(this.d.usedServiceUnit, service, used);
    return this;
  }

  /**
   * One Multiple-Services-Credit-Control: a negative amount leaves that unit AVP out, a negative
   * rating group leaves Rating-Group out.
   */
  mscc(service: Service, ratingGroup: number, requested: number, used: number, reportingReason = -1): this {
    const w = this.w;
    w.beginGroup(this.d.multipleServicesCreditControl);
    if (requested >= 0) this.unitGroup(this.d.requestedServiceUnit, service, requested);
    if (used >= 0) this.unitGroup(this.d.usedServiceUnit, service, used);
    if (ratingGroup >= 0) w.unsigned32(this.d.ratingGroup, ratingGroup);
    if (reportingReason >= 0) w.integer32(this.d.reportingReason, reportingReason);
    w.endGroup();
    return this;
  }

  /** Service-Information / IMS-Information of an originating leg (TS 32.299 §7.2.77). */
  ims(calling: string, called: string): this {
    const w = this.w;
    const d = this.d;
    w.beginGroup(d.serviceInformation).beginGroup(d.imsInformation);
    w.integer32(d.nodeFunctionality, this.applicationServer);
    w.integer32(d.roleOfNode, this.originatingRole);
    w.text(d.callingPartyAddress, calling);
    w.text(d.calledPartyAddress, called);
    w.endGroup().endGroup();
    return this;
  }

  /** PS-Information of a data session: the APN it reaches and the network serving it. */
  ps(access: { apn?: string | undefined; sgsnMccMnc?: string | undefined }): this {
    const w = this.w;
    w.beginGroup(this.d.serviceInformation).beginGroup(this.d.psInformation);
    if (access.apn !== undefined) w.text(this.d.calledStationId, access.apn);
    if (access.sgsnMccMnc !== undefined) w.text(this.d.sgsnMccMnc, access.sgsnMccMnc);
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
