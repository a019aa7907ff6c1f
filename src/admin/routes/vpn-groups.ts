/**
 * VPN groups and their members (ZTE US20120057507 FIG. 2). The registry enforces every rule of
 * registration; a refusal comes back with its code from the catalogue and a message that says
 * which rule and why (SHORT_NUMBER_LENGTH, SHORT_NUMBER_TAKEN, GROUP_FULL, BELONGS_ELSEWHERE,
 * UNKNOWN_ACCOUNT, NOT_PREPAID, ALREADY_MEMBER).
 */
import type { FastifyPluginAsync } from 'fastify';
import { vpnGroupDocumentSchema } from '../../provisioning/vpn.js';
import { groupSchema, memberSchema } from '../../vpn/model.js';
import { vpnErrors } from '../../vpn/errors.js';
import type { AdminContext } from '../context.js';
import { bodyWithPathId } from '../path-id.js';
import {
  errorResponses,
  fromZod,
  ID_PATTERN,
  idParams,
  listOf,
  MSISDN_PATTERN,
  parseBody,
  SECURITY,
} from '../schemas.js';

const groupBody = groupSchema.partial({ id: true });
const groupResource = fromZod(groupSchema, 'output');
const memberResource = fromZod(memberSchema, 'output');

const memberParams = {
  type: 'object',
  properties: {
    id: { type: 'string', pattern: ID_PATTERN },
    msisdn: { type: 'string', pattern: MSISDN_PATTERN },
  },
  required: ['id', 'msisdn'],
  additionalProperties: false,
} as const;

const RULES =
  "Rules (ZTE S201-S211): a short number has exactly the group's extension length and is unique in the group; " +
  'the group holds at most maxMembers; any number may join any number of groups, only a prepaid account of ' +
  'this OCS may belong, and to one group only. Registering again exactly as registered answers 200.';

export function vpnGroupRoutes(ctx: AdminContext): FastifyPluginAsync {
  return async (app) => {
    app.get(
      '/vpn/groups',
      {
        schema: {
          tags: ['vpn'],
          operationId: 'listVpnGroups',
          summary: 'every VPN group (without members)',
          security: SECURITY,
          response: { 200: listOf(groupResource), ...errorResponses() },
        },
      },
      async () => ({ items: (await ctx.vpn.listGroups()).sort((a, b) => a.id.localeCompare(b.id)) }),
    );

    app.get<{ Params: { id: string } }>(
      '/vpn/groups/:id',
      {
        schema: {
          tags: ['vpn'],
          operationId: 'getVpnGroup',
          summary: 'a VPN group with its members, as in the provisioning document',
          security: SECURITY,
          params: idParams,
          response: { 200: fromZod(vpnGroupDocumentSchema, 'output'), ...errorResponses(404) },
        },
      },
      async (request) => {
        const group = await ctx.vpn.getGroup(request.params.id);
        if (!group) throw vpnErrors.groupNotFound(request.params.id);
        return { ...group, members: await ctx.vpn.membersOf(group.id) };
      },
    );

    app.put<{ Params: { id: string } }>(
      '/vpn/groups/:id',
      {
        config: { bodySchema: groupBody },
        schema: {
          tags: ['vpn'],
          operationId: 'putVpnGroup',
          summary: 'create or change a VPN group (members are registered one by one)',
          description:
            'The extension length cannot change while the group has members; maxMembers cannot fall below the count.',
          security: SECURITY,
          params: idParams,
          body: fromZod(groupBody, 'input'),
          response: {
            200: { ...groupResource, description: 'changed' },
            201: { ...groupResource, description: 'created' },
            ...errorResponses(409),
          },
        },
      },
      async (request, reply) => {
        const group = bodyWithPathId(groupSchema, request.body, request.params.id);
        const { created } = await ctx.vpn.putGroup(group);
        return reply.code(created ? 201 : 200).send(group);
      },
    );

    app.get<{ Params: { id: string } }>(
      '/vpn/groups/:id/members',
      {
        schema: {
          tags: ['vpn'],
          operationId: 'listVpnGroupMembers',
          summary: 'the members of a group, by short number',
          security: SECURITY,
          params: idParams,
          response: { 200: listOf(memberResource), ...errorResponses(404) },
        },
      },
      async (request) => ({ items: await ctx.vpn.membersOf(request.params.id) }),
    );

    app.post<{ Params: { id: string } }>(
      '/vpn/groups/:id/members',
      {
        config: { bodySchema: memberSchema },
        schema: {
          tags: ['vpn'],
          operationId: 'addVpnGroupMember',
          summary: 'register a number in a group: belongs (pays the fee, enjoys the preference) or joins',
          description: RULES,
          security: SECURITY,
          params: idParams,
          body: fromZod(memberSchema, 'input'),
          response: {
            200: { ...memberResource, description: 'registered already with the same details' },
            201: { ...memberResource, description: 'registered' },
            ...errorResponses(404, 409, 422),
          },
        },
      },
      async (request, reply) => {
        const member = parseBody(memberSchema, request.body);
        const { registered } = await ctx.vpn.register(request.params.id, member, { sameIsNoop: true });
        return reply.code(registered ? 201 : 200).send(member);
      },
    );

    app.delete<{ Params: { id: string; msisdn: string } }>(
      '/vpn/groups/:id/members/:msisdn',
      {
        schema: {
          tags: ['vpn'],
          operationId: 'removeVpnGroupMember',
          summary: 'take a number out of a group',
          description:
            'Leaving the group it belongs to ends its VPN function: the activation is deleted, fees paid are not refunded.',
          security: SECURITY,
          params: memberParams,
          response: {
            200: {
              type: 'object',
              properties: {
                group: { type: 'string' },
                msisdn: { type: 'string' },
                identity: { type: 'string', enum: ['belongs', 'joins'] },
                activationEnded: { type: 'boolean' },
              },
              required: ['group', 'msisdn', 'identity', 'activationEnded'],
            },
            ...errorResponses(404, 409),
          },
        },
      },
      async (request) => {
        const { id, msisdn } = request.params;
        return { group: id, msisdn, ...(await ctx.vpn.unregister(id, msisdn)) };
      },
    );
  };
}
