/**
 * A whole provisioning document (DESIGN §6) in one call, as `ocs provision FILE` loads it:
 * checked whole against what is provisioned already, then applied; a document with any problem
 * applies nothing and answers every problem with the path of its field.
 */
import type { FastifyPluginAsync } from 'fastify';
import { parse as parseYaml } from 'yaml';
import { provision } from '../../provisioning/apply.js';
import { documentSchema } from '../../provisioning/document.js';
import type { AdminContext } from '../context.js';
import { validationError } from '../errors.js';
import { errorResponses, fromZod, SECURITY } from '../schemas.js';

const count = { type: 'integer' } as const;

/** The accounts a valid document sets and the members whose package it activates now. */
function changedByDocument(body: unknown): [{ msisdn: string; status?: string }[], string[]] {
  const doc = body as {
    accounts?: { msisdn: string; status?: string }[];
    vpn?: { activations?: { msisdn: string; when?: string }[] };
  };
  const activated = (doc.vpn?.activations ?? []).filter((a) => a.when !== 'next-month').map((a) => a.msisdn);
  return [doc.accounts ?? [], activated];
}

export function provisioningRoutes(ctx: AdminContext): FastifyPluginAsync {
  return async (app) => {
    app.addContentTypeParser(
      ['application/yaml', 'text/yaml'],
      { parseAs: 'string' },
      (_request, body, done) => {
        try {
          done(null, parseYaml(body as string));
        } catch (err) {
          done(
            validationError([{ field: 'body', reason: `not valid YAML: ${(err as Error).message}` }]),
            undefined,
          );
        }
      },
    );

    app.post(
      '/provisioning',
      {
        config: { bodySchema: documentSchema },
        schema: {
          tags: ['provisioning'],
          operationId: 'applyProvisioningDocument',
          summary: 'apply a provisioning document (JSON, or YAML as application/yaml)',
          description:
            'Safe to send again: tariffs and account attributes are set, an opening balance counts only when the ' +
            'account is created, members registered with the same details and activations in place are left alone.',
          security: SECURITY,
          body: fromZod(documentSchema, 'input'),
          response: {
            200: {
              type: 'object',
              properties: {
                tariffs: count,
                accountsCreated: count,
                accountsUpdated: count,
                vpn: {
                  type: 'object',
                  properties: {
                    groups: count,
                    packages: count,
                    membersAdded: count,
                    membersUnchanged: count,
                    activations: count,
                    feesCharged: count,
                  },
                },
                bundles: {
                  type: 'object',
                  description: 'bundles put on sale, given to accounts now, and already held (left alone)',
                  properties: { bundles: count, added: count, held: count },
                },
              },
              required: ['tariffs', 'accountsCreated', 'accountsUpdated'],
            },
            ...errorResponses(422),
          },
        },
      },
      async (request) => {
        const summary = await provision(
          {
            redis: ctx.redis,
            store: ctx.store,
            catalog: ctx.catalog,
            sessionKeys: ctx.sessionKeys,
            vpn: ctx.vpn,
          },
          JSON.stringify(request.body),
          ctx.now(),
        );
        await ctx.network?.provisioned(...changedByDocument(request.body));
        return summary;
      },
    );
  };
}
