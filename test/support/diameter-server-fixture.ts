/**
 * A running DiameterServer on a loopback port for end-to-end and interop tests of the Diameter
 * layer. Charging is a test double that grants what is asked: these tests are about the peer
 * state machine and the codec, not about balances.
 */
import type { Registry } from 'prom-client';
import type {
  CreditControlAnswer,
  CreditControlRequest,
  CreditControlService,
  ServiceCreditAnswer,
  ServiceUnits,
} from '../../src/credit-control/types.js';
import type { LocalIdentity } from '../../src/diameter/answers.js';
import { resolveAvps } from '../../src/diameter/avps.js';
import { creditControlHandler } from '../../src/diameter/credit-control-app.js';
import { defaultDictionary } from '../../src/diameter/dictionary.js';
import { DiameterServer } from '../../src/diameter/server.js';
import { createLogger, type Logger } from '../../src/logging.js';

export const TEST_IDENTITY: LocalIdentity = {
  originHost: 'ocs.test.example',
  originRealm: 'test.example',
  originStateId: 1,
  productName: 'gy-ocs',
  vendorId: 0,
  firmwareRevision: 1,
};

/**
 * Grants every requested unit (RFC 4006 §5.1.2 shape), echoing each Rating-Group; keeps what it
 * saw. `hold()` keeps the requests that come next in progress until `release()`.
 */
export class GrantingService implements CreditControlService {
  readonly requests: CreditControlRequest[] = [];
  private held: (() => void)[] | undefined;

  /** Requests from now on wait, unanswered, until release(). */
  hold(): void {
    this.held ??= [];
  }

  /** Lets every held request go on, and stops holding. */
  release(): void {
    const held = this.held ?? [];
    this.held = undefined;
    for (const go of held) go();
  }

  /** Requests waiting in hold(). */
  get holding(): number {
    return this.held?.length ?? 0;
  }

  async handle(request: CreditControlRequest): Promise<CreditControlAnswer> {
    this.requests.push(request);
    const held = this.held;
    if (held) await new Promise<void>((resolve) => held.push(resolve));
    const services = request.services.map((s): ServiceCreditAnswer => ({
      ...(s.ratingGroup === undefined ? {} : { ratingGroup: s.ratingGroup }),
      resultCode: 2001,
      ...(s.requested ? { granted: grant(s.requested) } : {}),
    }));
    return {
      resultCode: 2001,
      services,
      ...(request.requested ? { granted: grant(request.requested) } : {}),
    };
  }
}

function grant(units: ServiceUnits): CreditControlAnswer['granted'] {
  return {
    ...(units.time === undefined ? {} : { time: units.time }),
    ...(units.totalOctets === undefined ? {} : { totalOctets: units.totalOctets }),
    ...(units.inputOctets === undefined ? {} : { inputOctets: units.inputOctets }),
    ...(units.outputOctets === undefined ? {} : { outputOctets: units.outputOctets }),
    ...(units.serviceSpecificUnits === undefined ? {} : { serviceSpecificUnits: units.serviceSpecificUnits }),
  };
}

export interface DiameterServerFixtureOptions {
  allowedPeers?: readonly string[];
  watchdogMs?: number;
  maxInFlight?: number;
  /** Where the server's Diameter metrics go; none are kept without it. */
  registry?: Registry;
  /** Defaults to a silent logger. */
  logger?: Logger;
}

export interface DiameterServerFixture {
  port: number;
  server: DiameterServer;
  service: GrantingService;
  /** Closes the server: DPR to every open peer, then waits for every connection to close. */
  stop(): Promise<void>;
}

export async function startDiameterServer(
  options: DiameterServerFixtureOptions = {},
): Promise<DiameterServerFixture> {
  const dictionary = defaultDictionary();
  const logger = options.logger ?? createLogger('silent');
  const service = new GrantingService();
  const handler = creditControlHandler({
    avps: resolveAvps(dictionary),
    identity: TEST_IDENTITY,
    service,
    logger,
  });
  const server = new DiameterServer({
    host: '127.0.0.1',
    port: 0,
    dictionary,
    identity: TEST_IDENTITY,
    handlers: [handler],
    logger,
    ...(options.allowedPeers === undefined ? {} : { allowedPeers: options.allowedPeers }),
    ...(options.watchdogMs === undefined ? {} : { watchdogMs: options.watchdogMs }),
    ...(options.maxInFlight === undefined ? {} : { maxInFlight: options.maxInFlight }),
    ...(options.registry ? { registry: options.registry } : {}),
  });
  const { port } = await server.listen();
  return {
    port,
    server,
    service,
    async stop() {
      await server.close();
    },
  };
}
