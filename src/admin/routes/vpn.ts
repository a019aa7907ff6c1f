import type { FastifyPluginAsync } from 'fastify';
import type { AdminContext } from '../context.js';
import { vpnGroupRoutes } from './vpn-groups.js';
import { vpnPackageRoutes } from './vpn-packages.js';

/** Everything under /v1/vpn. */
export function vpnRoutes(ctx: AdminContext): FastifyPluginAsync {
  return async (app) => {
    await app.register(vpnGroupRoutes(ctx));
    await app.register(vpnPackageRoutes(ctx));
  };
}
