/**
 * Vitest global setup: ONE Redis for the whole run (see ./redis.ts for where it comes from);
 * tests read its URL with `inject('redisUrl')` and isolate themselves with their own key prefix.
 */
import type { TestProject } from 'vitest/node';
import { startRedis } from './redis.js';

declare module 'vitest' {
  export interface ProvidedContext {
    redisUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const redis = await startRedis();
  project.provide('redisUrl', redis.url);
  return () => redis.stop();
}
