/**
 * Two server instances on one Redis: the client connected to instance A only, the operator's
 * calls going to instance B's admin API, so that every RAR and ASR crosses from B to A.
 */
import type { DiameterMessage } from '../../../src/diameter/message.js';
import type { RunningServer } from '../../../src/server/start.js';
import { ADMIN_TOKEN, type OcsFixture } from '../../support/ocs-fixture.js';
import { answerView, type ReceivedAnswer, type TestPeer } from '../../support/diameter-peer.js';

export const RE_AUTH = 258;
export const ABORT_SESSION = 274;

/** Instance B, with no Diameter client of its own. */
export async function instanceWithoutClient(ocs: OcsFixture): Promise<RunningServer> {
  const other = await ocs.secondInstance();
  await other.peer.close();
  await until(() => other.server.diameter.openPeers === 0, 'B to see its client gone');
  return other.server;
}

/** A call to a server's admin API. */
export async function admin(
  server: RunningServer,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; json: unknown }> {
  const response = await fetch(`http://127.0.0.1:${server.httpPort}/v1${path}`, {
    method,
    headers: {
      authorization: `Bearer ${ADMIN_TOKEN}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, json: text ? (JSON.parse(text) as unknown) : undefined };
}

/** The server's requests as the client receives them, answered with `resultCode` unless it is undefined. */
export class ServerRequests {
  readonly received: DiameterMessage[] = [];
  private waiters: (() => void)[] = [];

  constructor(
    private readonly peer: TestPeer,
    public resultCode: number | undefined = 2001,
  ) {
    peer.onServerRequest = (request) => {
      this.received.push(request);
      if (this.resultCode !== undefined) peer.answerServerRequest(request, this.resultCode);
      for (const w of this.waiters.splice(0)) w();
    };
  }

  /** A received request with its AVPs by name. */
  view(request: DiameterMessage): ReceivedAnswer {
    return answerView(this.peer.dict, request);
  }

  /** Resolves with the `n`th request (from 1) once it has come, failing after `withinMs`. */
  async nth(n: number, withinMs: number): Promise<ReceivedAnswer> {
    const deadline = Date.now() + withinMs;
    while (this.received.length < n) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`request ${n} of the server did not come within ${withinMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return answerView(this.peer.dict, this.received[n - 1]!);
  }
}

/** Waits until `condition` holds, checking every 20 ms, for at most 5 s. */
export async function until(condition: () => boolean | Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The value of a counter series in the server's /metrics text. */
export async function metric(server: RunningServer, series: string): Promise<number | undefined> {
  const response = await server.http.inject({ method: 'GET', url: '/metrics' });
  const line = response.body.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}
