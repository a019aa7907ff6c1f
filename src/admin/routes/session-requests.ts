/**
 * The operator's Re-Auth and Abort-Session requests (RFC 4006 §5.5, RFC 6733 §8.5): for every
 * open session of an account or for one of them, sent by the instance holding the client's
 * connection, each answered with what became of it.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { NetworkTriggers, Which } from '../../network-requests/triggers.js';
import type { RequestResult } from '../../network-requests/types.js';
import { accountNotFound } from '../accounts.js';
import type { AdminContext } from '../context.js';
import { AdminError } from '../errors.js';
import { errorResponses, msisdnParams, SECURITY, type JsonSchema } from '../schemas.js';

const requestsResource: JsonSchema = {
  type: 'object',
  properties: {
    requests: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          sessionId: { type: 'string' },
          kind: { type: 'string', enum: ['rar', 'asr'] },
          outcome: {
            type: 'string',
            enum: ['success', 'unknown_session', 'error', 'no_answer', 'no_peer'],
            description:
              'success: answered 2001 or 2002; unknown_session: answered 5002, the session was closed here; ' +
              'error: answered with another Result-Code after the retries; no_answer: no answer in time; ' +
              'no_peer: no instance holds a connection to the client',
          },
          resultCode: { type: 'integer', description: 'Result-Code of the last answer' },
          instance: { type: 'string', description: 'the instance that sent it' },
        },
        required: ['sessionId', 'kind', 'outcome'],
      },
    },
  },
  required: ['requests'],
};

const sessionParams = {
  type: 'object',
  properties: {
    ...msisdnParams.properties,
    sessionId: { type: 'string', minLength: 1, maxLength: 512, description: 'the Session-Id, URL-encoded' },
  },
  required: ['msisdn', 'sessionId'],
  additionalProperties: false,
} as const;

const WHAT = {
  reauthorize: {
    kind: 'RAR',
    summary: 'send a Re-Auth-Request (AUTHORIZE_ONLY)',
    description:
      'The client answers RAA and asks for credit again with a CCR-U (Reporting-Reason FORCED_REAUTHORISATION), ' +
      'rated with the balance, tariff and packages as they are now.',
  },
  abort: {
    kind: 'ASR',
    summary: 'send an Abort-Session-Request',
    description:
      'The client answers ASA and ends the session with a CCR-T. A session without CCR-T within ASR_CLOSE_TIMEOUT_MS ' +
      '(10 s by default) is closed here whatever the client answered: its frozen money is returned and its CDR says abort.',
  },
} as const;

type Action = keyof typeof WHAT;

function act(
  network: NetworkTriggers,
  action: Action,
  msisdn: string,
  which: Which,
): Promise<RequestResult[]> {
  return action === 'reauthorize'
    ? network.reauthorize(msisdn, 'operator', which)
    : network.abort(msisdn, 'operator', which);
}

export function sessionRequestRoutes(ctx: AdminContext): FastifyPluginAsync {
  const networkOf = (): NetworkTriggers => {
    if (!ctx.network)
      throw new AdminError('NETWORK_REQUESTS_UNAVAILABLE', 'this process sends no requests to clients');
    return ctx.network;
  };
  return async (app) => {
    for (const action of ['reauthorize', 'abort'] as const) {
      const what = WHAT[action];
      app.post<{ Params: { msisdn: string } }>(
        `/accounts/:msisdn/sessions/${action}`,
        {
          schema: {
            tags: ['history'],
            operationId: action === 'reauthorize' ? 'reauthorizeAccountSessions' : 'abortAccountSessions',
            summary: `${what.summary} for every open session of the account`,
            description: `${what.description} Answers once every ${what.kind} is answered or has failed; no open session: an empty list.`,
            security: SECURITY,
            params: msisdnParams,
            response: { 200: requestsResource, ...errorResponses(404, 503) },
          },
        },
        async (request) => {
          const { msisdn } = request.params;
          const network = networkOf();
          if (!(await ctx.store.getAccount(msisdn))) throw accountNotFound(msisdn);
          return { requests: await act(network, action, msisdn, { wait: true }) };
        },
      );
      app.post<{ Params: { msisdn: string; sessionId: string } }>(
        `/accounts/:msisdn/sessions/:sessionId/${action}`,
        {
          schema: {
            tags: ['history'],
            operationId: action === 'reauthorize' ? 'reauthorizeSession' : 'abortSession',
            summary: `${what.summary} for one open session`,
            description: `${what.description} Answers once the ${what.kind} is answered or has failed.`,
            security: SECURITY,
            params: sessionParams,
            response: { 200: requestsResource, ...errorResponses(404, 503) },
          },
        },
        async (request) => {
          const { msisdn, sessionId } = request.params;
          const network = networkOf();
          const session = await ctx.sessions.load(msisdn, sessionId);
          if (!session || session.state !== 'open')
            throw new AdminError('SESSION_NOT_OPEN', `account ${msisdn} has no open session ${sessionId}`);
          return { requests: await act(network, action, msisdn, { sessionId, wait: true }) };
        },
      );
    }
  };
}
