import { DeadlinePassedError, GuardFailedError } from '../balance/index.js';
import { ResultCode } from '../errors/result-codes.js';
import { redisFailureOf } from '../redis/failures.js';
import type { Charging, ChargingDeps } from './context.js';
import { startDeadline } from './deadline.js';
import { chargeEvent } from './events/index.js';
import { ChargingRefusal, refusalOf } from './refusals.js';
import { serviceKindOf, type ServiceKind } from './service-kind.js';
import { SessionGuards } from './session-guards.js';
import { openSession } from './session-requests/initial.js';
import { terminateSession } from './session-requests/termination.js';
import { updateSession } from './session-requests/update.js';
import type {
  CreditControlAnswer,
  CreditControlRequest,
  CreditControlService,
  RequestType,
} from './types.js';

type RequestHandler = (
  charging: Charging,
  kind: ServiceKind,
  request: CreditControlRequest,
) => Promise<CreditControlAnswer>;

const HANDLERS: Record<RequestType, RequestHandler> = {
  initial: openSession,
  update: updateSession,
  termination: terminateSession,
  event: chargeEvent,
};

/**
 * RFC 4006 credit control onto the prepaid interfaces of DESIGN §2: CCR-I authenticates and
 * applies (freezes), CCR-U deducts, returns and applies again, CCR-T deducts and returns,
 * CCR-E charges or answers at once. The requests of one session run one after another on this
 * instance; sessions live in Redis, so any instance takes any request. A refusal becomes its
 * Result-Code; anything else (Redis unreachable or too slow, a bug) is logged and answered 5012,
 * upon which the client applies its Credit-Control-Failure-Handling (RFC 4006 §5.7).
 */
export class ChargingService implements CreditControlService {
  readonly charging: Charging;

  constructor(deps: ChargingDeps) {
    this.charging = { ...deps, now: deps.now ?? Date.now, guards: new SessionGuards() };
  }

  async handle(request: CreditControlRequest): Promise<CreditControlAnswer> {
    const { sessions, logger } = this.charging;
    startDeadline(this.charging, request);
    try {
      const kind = serviceKindOf(request.serviceContextId, this.charging.settings.serviceContexts);
      if (!kind)
        throw new ChargingRefusal(
          'SERVICE_NOT_CHARGED',
          `Service-Context-Id ${request.serviceContextId} is not charged here`,
        );
      const handler = HANDLERS[request.requestType];
      return await sessions.serialise(request.sessionId, async () => {
        try {
          return await handler(this.charging, kind, request);
        } catch (err) {
          if (!(err instanceof GuardFailedError)) throw err;
          // Another instance served the session since this one last did: nothing was written,
          // so the request is handled again from the record in Redis.
          sessions.forget(request.sessionId);
          return await handler(this.charging, kind, request);
        }
      });
    } catch (err) {
      // Redis not serving the request in time is counted, and logged by its reason, not a stack.
      const unserved = err instanceof DeadlinePassedError ? 'deadline_passed' : redisFailureOf(err);
      if (unserved) {
        const { requestType } = request;
        this.charging.metrics?.storeUnavailable.inc({ request_type: requestType, reason: unserved });
      } else {
        const refusal = refusalOf(err);
        if (refusal) return refusal.toAnswer();
      }
      logger.error(
        {
          ...(unserved ? { reason: unserved, detail: (err as Error).message } : { err }),
          peer: request.peer ?? request.originHost,
          sessionId: request.sessionId,
          requestType: request.requestType,
        },
        'credit control failed',
      );
      return unavailable();
    }
  }
}

function unavailable(): CreditControlAnswer {
  return {
    resultCode: ResultCode.UNABLE_TO_COMPLY,
    services: [],
    errorMessage: 'charging temporarily unavailable',
  };
}
