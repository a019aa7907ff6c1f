import { readArgs, type ArgSpec } from './arguments.js';
import { defineCommand } from './define.js';
import { redisNeeds, type RedisNeeds } from './redis-needs.js';

const ARGS = { flags: {}, required: ['FILE'] } as const satisfies ArgSpec;

/** `ocs provision FILE`: a provisioning document (DESIGN §6) loaded into the servers' Redis. */
export const provision = defineCommand<string, RedisNeeds>({
  name: 'provision',
  usage: 'provision FILE',
  summary: 'load tariffs and accounts from a YAML or JSON document (needs REDIS_URL)',
  args: ARGS,
  help: {
    synopsis: ['provision FILE'],
    description:
      'Loads the tariffs and accounts of a provisioning document into the Redis the servers use, ' +
      'through the same checks as POST /v1/provisioning: every bad field is reported with its ' +
      'path and nothing is applied until all of it is valid. An account already there is updated. ' +
      'The format is in demo/provisioning.yaml.',
    arguments: [['FILE', 'the document, YAML or JSON']],
    environment: [['REDIS_URL', 'the Redis the servers use (required)']],
    examples: ['REDIS_URL=redis://127.0.0.1:6379 ocs provision demo/provisioning.yaml'],
  },
  parse: (args) => readArgs('provision', args, ARGS).positionals[0]!,
  configure: redisNeeds,
  async execute(file, needs) {
    const { provisionFile } = await import('./provision-file.js');
    return provisionFile(file, needs);
  },
});
