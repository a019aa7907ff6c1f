/** The Diameter client that end-to-end tests drive the server with, over loopback. */
import { DiameterClient } from '../../src/simulator/client.js';

export { answerView, member, members, type ReceivedAnswer } from '../../src/simulator/client.js';

export class TestPeer extends DiameterClient {
  constructor(port: number) {
    super(port);
    this.originHost = 'pcef.test.example';
    this.originRealm = 'test.example';
  }
}
