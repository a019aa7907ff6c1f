/** Service kinds, units and the grouping of MSCCs by rating group (src/credit-control/service-kind.ts). */
import { describe, expect, it } from 'vitest';
import {
  byRatingGroup,
  chargedService,
  grantedUnits,
  serviceKindOf,
  unitsOf,
} from '../../../src/credit-control/service-kind.js';
import type { CreditControlRequest, ServiceCreditRequest } from '../../../src/credit-control/types.js';

function request(ims?: CreditControlRequest['ims']): CreditControlRequest {
  return {
    sessionId: 's',
    originHost: 'h',
    originRealm: 'r',
    destinationRealm: 'd',
    serviceContextId: '32260@3gpp.org',
    requestType: 'initial',
    requestNumber: 0,
    retransmission: false,
    subscriptionIds: [],
    multipleServicesIndicator: false,
    services: [],
    used: [],
    ...(ims ? { ims } : {}),
  };
}

describe('serviceKindOf (TS 32.299 §7.1.12 Service-Context-Id)', () => {
  it.each([
    ['32251@3gpp.org', 'data'],
    ['32260@3gpp.org', 'voice'],
    ['32274@3gpp.org', 'sms'],
    ['8.32251@3gpp.org', 'data'],
    ['10.460.00.32260@3gpp.org', 'voice'],
    ['ext.01.460.17.32274@3GPP.ORG', 'sms'],
  ])('%s is %s', (context, kind) => {
    expect(serviceKindOf(context)).toBe(kind);
  });

  it.each(['32270@3gpp.org', '132251@3gpp.org', '32251@example.org', '32251@3gpp.org.evil', '', 'data'])(
    '%j is not charged here',
    (context) => {
      expect(serviceKindOf(context)).toBeUndefined();
    },
  );
});

describe('chargedService', () => {
  it('rates the terminating leg only when Role-Of-Node says so', () => {
    expect(
      chargedService('voice', request({ calledPartyAddresses: [], roleOfNode: 'terminating' }), 0),
    ).toEqual({
      kind: 'voice',
      role: 'terminating',
    });
    expect(
      chargedService('voice', request({ calledPartyAddresses: [], roleOfNode: 'originating' }), 0),
    ).toEqual({
      kind: 'voice',
      role: 'originating',
    });
    expect(chargedService('voice', request(), 0)).toEqual({ kind: 'voice', role: 'originating' });
  });

  it('rates data by rating group and SMS per message', () => {
    expect(chargedService('data', request(), 20)).toEqual({ kind: 'data', ratingGroup: 20 });
    expect(chargedService('sms', request(), 7)).toEqual({ kind: 'sms' });
  });
});

describe('unitsOf and grantedUnits', () => {
  it('reads the unit of each service', () => {
    expect(unitsOf('voice', { time: 60, totalOctets: 5 })).toBe(60);
    expect(unitsOf('sms', { serviceSpecificUnits: 2, time: 1 })).toBe(2);
    expect(unitsOf('data', { totalOctets: 100, inputOctets: 1, outputOctets: 2 })).toBe(100);
    expect(unitsOf('data', { inputOctets: 10, outputOctets: 20 })).toBe(30);
    expect(unitsOf('data', { outputOctets: 20 })).toBe(20);
  });

  it('has no amount when the service unit is missing (an empty RSU asks for the default)', () => {
    expect(unitsOf('voice', {})).toBeUndefined();
    expect(unitsOf('voice', { totalOctets: 5 })).toBeUndefined();
    expect(unitsOf('data', { time: 5 })).toBeUndefined();
    expect(unitsOf('sms', { time: 5 })).toBeUndefined();
  });

  it('grants in the unit of the service', () => {
    expect(grantedUnits('voice', 60)).toEqual({ time: 60 });
    expect(grantedUnits('data', 1024)).toEqual({ totalOctets: 1024 });
    expect(grantedUnits('sms', 1)).toEqual({ serviceSpecificUnits: 1 });
  });
});

describe('byRatingGroup', () => {
  const mscc = (s: Partial<ServiceCreditRequest>): ServiceCreditRequest => ({
    serviceIdentifiers: [],
    used: [],
    ...s,
  });

  it('leaves MSCCs of different rating groups as they are, in order', () => {
    const services = [mscc({ ratingGroup: 20, requested: { totalOctets: 1 } }), mscc({ ratingGroup: 10 })];
    expect(byRatingGroup(services)).toEqual(services);
  });

  it('merges the MSCCs of one rating group: identifiers, usage and requests added up', () => {
    const services = [
      mscc({
        ratingGroup: 10,
        serviceIdentifiers: [1],
        requested: { totalOctets: 100 },
        used: [{ totalOctets: 5 }],
      }),
      mscc({ ratingGroup: 20, requested: {} }),
      mscc({
        ratingGroup: 10,
        serviceIdentifiers: [2, 1],
        requested: { totalOctets: 50, inputOctets: 3 },
        used: [{ totalOctets: 6 }, { totalOctets: 7 }],
        reportingReason: 2,
      }),
    ];
    const copy = structuredClone(services);
    expect(byRatingGroup(services)).toEqual([
      {
        ratingGroup: 10,
        serviceIdentifiers: [1, 2],
        requested: { totalOctets: 150, inputOctets: 3 },
        used: [{ totalOctets: 5 }, { totalOctets: 6 }, { totalOctets: 7 }],
        reportingReason: 2,
      },
      { ratingGroup: 20, serviceIdentifiers: [], requested: {}, used: [] },
    ]);
    expect(services).toEqual(copy);
  });

  it('asks for something when any MSCC of the group did, and nothing when none did', () => {
    expect(byRatingGroup([mscc({ ratingGroup: 1 }), mscc({ ratingGroup: 1, requested: {} })])).toEqual([
      { ratingGroup: 1, serviceIdentifiers: [], requested: {}, used: [] },
    ]);
    expect(byRatingGroup([mscc({ ratingGroup: 1 }), mscc({ ratingGroup: 1 })])).toEqual([
      { ratingGroup: 1, serviceIdentifiers: [], used: [] },
    ]);
  });

  it('puts MSCCs without a rating group together (rating group 0)', () => {
    expect(
      byRatingGroup([
        mscc({ serviceIdentifiers: [5], used: [{ time: 1 }] }),
        mscc({ serviceIdentifiers: [6], used: [{ time: 2 }] }),
      ]),
    ).toEqual([{ serviceIdentifiers: [5, 6], used: [{ time: 1 }, { time: 2 }] }]);
  });
});
