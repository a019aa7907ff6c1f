import { ConfigError, loadConfig } from '../../src/config/config.js';

/** What `loadConfig` refuses in `env`, one line a problem; none when it takes it. */
export function configProblems(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}
