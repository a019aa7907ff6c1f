import { Gauge, type Registry } from 'prom-client';
import { PRODUCT_NAME, VERSION } from '../version.js';

/**
 * `ocs_build_info{name, version, node} 1`: which release and runtime each instance runs, to
 * join on (`* on (instance) group_left (version) ocs_build_info`) during a rolling update.
 */
export function registerBuildInfo(registry: Registry): Gauge<'name' | 'version' | 'node'> {
  const info = new Gauge({
    name: 'ocs_build_info',
    help: 'Always 1; its labels name the release (version) and the Node.js runtime (node)',
    labelNames: ['name', 'version', 'node'],
    registers: [registry],
  });
  info.set({ name: PRODUCT_NAME, version: VERSION, node: process.version }, 1);
  return info;
}
