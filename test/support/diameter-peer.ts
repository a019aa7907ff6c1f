/** The Diameter client that end-to-end tests drive the server with, over loopback. */
import type { ConnectionOptions } from 'node:tls';
import { DiameterClient } from '../../src/simulator/client.js';

export { answerView, member, members, type ReceivedAnswer } from '../../src/simulator/client.js';

/** The Diameter identity the test peer gives in its CER. */
export const TEST_PEER_HOST = 'pcef.test.example';

export class TestPeer extends DiameterClient {
  /** Over TLS when `tls` is given (the CA to trust, a client certificate, the server's name). */
  constructor(port: number, tls?: ConnectionOptions) {
    super(port, undefined, undefined, tls);
    this.originHost = TEST_PEER_HOST;
    this.originRealm = 'test.example';
  }
}
