/**
 * REDIS_PASSWORD: kept apart from REDIS_URL (a Kubernetes Secret holds it), written into each
 * URL as the client reads it, never printed, and refused where it cannot apply.
 */
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/config.js';
import { configProblems } from '../../support/config-problems.js';

describe('REDIS_PASSWORD', () => {
  it('leaves REDIS_URL as it is when unset', () => {
    expect(loadConfig({ REDIS_URL: 'redis://redis:6379' }).redisUrl).toBe('redis://redis:6379');
  });

  it('is written into the URL, encoded so that the client decodes it back', () => {
    const url = loadConfig({ REDIS_URL: 'redis://redis:6379/2', REDIS_PASSWORD: 'p@ss:w%rd/ #1' }).redisUrl;
    const parsed = new URL(url ?? '');
    expect(decodeURIComponent(parsed.password)).toBe('p@ss:w%rd/ #1');
    expect(parsed.hostname).toBe('redis');
    expect(parsed.port).toBe('6379');
    expect(parsed.pathname).toBe('/2');
  });

  it('keeps the user of the URL (a Redis 6 ACL user)', () => {
    const url = new URL(
      loadConfig({ REDIS_URL: 'rediss://ocs@redis:6380', REDIS_PASSWORD: 'secret' }).redisUrl ?? '',
    );
    expect([url.protocol, url.username, url.password]).toEqual(['rediss:', 'ocs', 'secret']);
  });

  it('goes into every node URL of a Redis Cluster', () => {
    const urls = loadConfig({ REDIS_URL: 'redis://a:7000, redis://b:7001', REDIS_PASSWORD: 'secret' })
      .redisUrl?.split(',')
      .map((u) => new URL(u));
    expect(urls?.map((u) => [u.host, u.password])).toEqual([
      ['a:7000', 'secret'],
      ['b:7001', 'secret'],
    ]);
  });

  it('is refused without REDIS_URL, and beside a URL that has a password, never printed', () => {
    expect(configProblems({ REDIS_PASSWORD: 'secret-value' })).toEqual([
      'REDIS_PASSWORD=(hidden): needs REDIS_URL (the private redis-server has no password)',
    ]);
    const twice = configProblems({ REDIS_URL: 'redis://:other@redis:6379', REDIS_PASSWORD: 'secret-value' });
    expect(twice).toEqual([
      'REDIS_PASSWORD=(hidden): REDIS_URL carries a password already; give it in one place only',
    ]);
    expect(twice.join('\n')).not.toContain('secret-value');
  });
});
