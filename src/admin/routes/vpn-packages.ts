/**
 * VPN packages, their activation by belonging members (ZTE FIG. 3: immediate or next month),
 * paying a suspended package, and the monthly run of functional fees (DESIGN §3).
 */
import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import { VpnError, vpnErrors } from '../../vpn/errors.js';
import { activationRequestSchema, monthOf, packageSchema } from '../../vpn/model.js';
import type { AdminContext } from '../context.js';
import { validationError } from '../errors.js';
import { bodyWithPathId } from '../path-id.js';
import {
  errorResponses,
  fromZod,
  idParams,
  listOf,
  msisdnParams,
  parseBody,
  ref,
  SECURITY,
  type JsonSchema,
} from '../schemas.js';

const packageBody = packageSchema.partial({ id: true });
const packageResource = fromZod(packageSchema, 'output');

const activationResult: JsonSchema = {
  type: 'object',
  properties: {
    activation: ref('Activation'),
    charged: { type: 'integer', description: 'functional fee charged by this call (0: none)' },
    changed: { type: 'boolean', description: 'whether the stored activation changed' },
  },
  required: ['activation', 'charged', 'changed'],
};

const monthlyRunBody = z
  .object({
    month: z
      .string()
      .regex(/^\d{4}-(0[1-9]|1[0-2])$/, "must be a month 'YYYY-MM'")
      .optional(),
  })
  .strict();

const monthlyRunResult: JsonSchema = {
  type: 'object',
  properties: {
    month: { type: 'string' },
    charged: { type: 'integer', description: 'activations whose fee this run paid' },
    suspended: {
      type: 'integer',
      description: 'activations whose fee could not be paid: preference off until paid',
    },
    suspensions: {
      type: 'array',
      description:
        'the members whose preference this run ended (active until now) and what their open sessions were ' +
        "sent, as their package's onSuspension says: reauthorize (RAR) or abort (ASR)",
      items: {
        type: 'object',
        properties: {
          msisdn: { type: 'string' },
          package: { type: 'string' },
          onSuspension: { type: 'string', enum: ['reauthorize', 'abort'] },
        },
        required: ['msisdn', 'package', 'onSuspension'],
      },
    },
    skipped: { type: 'integer', description: 'activations with nothing to pay for the month' },
    bundles: {
      type: 'object',
      description:
        'the bundles step: calendar-month bundles renewed, unpaid (tried again by a later run of the month), ' +
        'lapsed (the month before unpaid, or no longer on sale), and ended bundles cleared',
      properties: {
        renewed: { type: 'integer' },
        unpaid: { type: 'integer' },
        lapsed: { type: 'integer' },
        expired: { type: 'integer' },
      },
    },
    failed: {
      type: 'array',
      description: 'activations this run could not decide; a later run tries again',
      items: {
        type: 'object',
        properties: { msisdn: { type: 'string' }, code: { type: 'string' }, message: { type: 'string' } },
        required: ['msisdn', 'code', 'message'],
      },
    },
  },
  required: ['month', 'charged', 'suspended', 'suspensions', 'skipped', 'failed'],
};

export function vpnPackageRoutes(ctx: AdminContext): FastifyPluginAsync {
  return async (app) => {
    app.get(
      '/vpn/packages',
      {
        schema: {
          tags: ['vpn'],
          operationId: 'listVpnPackages',
          summary: 'every VPN package',
          security: SECURITY,
          response: { 200: listOf(packageResource), ...errorResponses() },
        },
      },
      async () => ({ items: (await ctx.vpn.listPackages()).sort((a, b) => a.id.localeCompare(b.id)) }),
    );

    app.get<{ Params: { id: string } }>(
      '/vpn/packages/:id',
      {
        schema: {
          tags: ['vpn'],
          operationId: 'getVpnPackage',
          summary: 'a VPN package',
          security: SECURITY,
          params: idParams,
          response: { 200: packageResource, ...errorResponses(404) },
        },
      },
      async (request) => {
        const pkg = await ctx.vpn.getPackage(request.params.id);
        if (!pkg) throw vpnErrors.packageNotFound(request.params.id);
        return pkg;
      },
    );

    app.put<{ Params: { id: string } }>(
      '/vpn/packages/:id',
      {
        config: { bodySchema: packageBody },
        schema: {
          tags: ['vpn'],
          operationId: 'putVpnPackage',
          summary: 'create or change a VPN package: preferential items and charging levels',
          description:
            'Free levels (creditSeconds, or creditAmount spent at pricePerUnit) are used first, level by level, ' +
            'and reset each month; payment levels charge money. A change rates at once; changed allowances ' +
            "apply from the members' next reset.",
          security: SECURITY,
          params: idParams,
          body: fromZod(packageBody, 'input'),
          response: {
            200: { ...packageResource, description: 'changed' },
            201: { ...packageResource, description: 'created' },
            ...errorResponses(),
          },
        },
      },
      async (request, reply) => {
        const pkg = bodyWithPathId(packageSchema, request.body, request.params.id);
        const { created } = await ctx.vpn.putPackage(pkg);
        return reply.code(created ? 201 : 200).send(pkg);
      },
    );

    app.post(
      '/vpn/activations',
      {
        config: { bodySchema: activationRequestSchema },
        schema: {
          tags: ['vpn'],
          operationId: 'activateVpnPackage',
          summary: 'activate a VPN package for a belonging member: immediate or next month',
          description:
            "Immediate: the month's functional fee is charged now (all or nothing) and the preference starts " +
            'now. Next month: nothing is charged now; the monthly run of next month charges and starts it. Only ' +
            'a belonging member with a prepaid account may activate (ZTE S301-S305). Asking again for what is ' +
            'in place charges nothing and answers 200.',
          security: SECURITY,
          body: fromZod(activationRequestSchema, 'input'),
          response: {
            200: { ...activationResult, description: 'in place already: nothing charged or changed' },
            201: { ...activationResult, description: 'activated, or scheduled for next month' },
            ...errorResponses(404, 409, 422),
          },
        },
      },
      async (request, reply) => {
        const activation = parseBody(activationRequestSchema, request.body);
        const result = await ctx.vpn.activate(activation, ctx.now());
        if (result.changed && activation.when === 'immediate')
          await ctx.network?.packageChanged(activation.msisdn);
        return reply.code(result.changed ? 201 : 200).send(result);
      },
    );

    app.get<{ Params: { msisdn: string } }>(
      '/vpn/activations/:msisdn',
      {
        schema: {
          tags: ['vpn'],
          operationId: 'getVpnActivation',
          summary: "a number's VPN package activation",
          security: SECURITY,
          params: msisdnParams,
          response: { 200: ref('Activation'), ...errorResponses(404) },
        },
      },
      async (request) => {
        const activation = await ctx.vpn.activation(request.params.msisdn);
        if (!activation) throw vpnErrors.activationNotFound(request.params.msisdn);
        return activation;
      },
    );

    app.post<{ Params: { msisdn: string } }>(
      '/vpn/activations/:msisdn/resume',
      {
        schema: {
          tags: ['vpn'],
          operationId: 'resumeVpnActivation',
          summary: "pay this month's fee of a suspended package now and turn its preference back on",
          description:
            'Nothing happens (200, charged 0) when nothing is due. A fee that cannot be paid suspends the ' +
            "package; if it was active until then, the member's open sessions get a RAR or an ASR, as the " +
            "package's onSuspension says.",
          security: SECURITY,
          params: msisdnParams,
          response: { 200: activationResult, ...errorResponses(404, 409, 422) },
        },
      },
      async (request) => {
        try {
          return await ctx.vpn.payAndResume(request.params.msisdn, ctx.now());
        } catch (err) {
          // The refusal suspended a package that gave the preference: its sessions are told too.
          if (err instanceof VpnError && err.suspension)
            await ctx.network?.packagesSuspended([err.suspension]);
          throw err;
        }
      },
    );

    app.post(
      '/vpn/monthly-runs',
      {
        config: { bodySchema: monthlyRunBody },
        // No body at all means the current month, as `{}` does.
        preValidation: async (request) => {
          if (request.body === undefined) request.body = {};
        },
        schema: {
          tags: ['vpn'],
          operationId: 'runVpnMonthlyFees',
          summary: "charge the month's functional fees of every activation that owes them",
          description:
            'Default month: the current one (UTC); a month that has not begun is refused. Running it twice for a ' +
            'month changes nothing the second time. The open sessions of the members it suspends get a RAR or an ' +
            "ASR, as their package's onSuspension says.",
          security: SECURITY,
          body: fromZod(monthlyRunBody, 'input'),
          response: { 200: monthlyRunResult, ...errorResponses() },
        },
      },
      async (request) => {
        const { month } = parseBody(monthlyRunBody, request.body ?? {});
        const now = ctx.now();
        const current = monthOf(now);
        // As `ocs vpn-monthly`: a month that has not begun would charge fees and start free credits early.
        if (month !== undefined && month > current) {
          throw validationError([
            {
              field: 'body.month',
              reason: `${month} has not begun (it is ${current} UTC); its fees are charged when it has`,
            },
          ]);
        }
        const summary = await ctx.vpn.monthlyRun(month ?? current, now);
        await ctx.network?.packagesSuspended(summary.suspensions);
        return summary;
      },
    );
  };
}
