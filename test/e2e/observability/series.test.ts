/**
 * What a scrape holds before any traffic and while Redis is away: the build, every error series
 * at 0 (so that the first error is an increase), Redis connected 0 on the instance that lost it,
 * the shared-state gauges left out rather than 0, and the connection's loss logged as JSON.
 */
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/config.js';
import { chargingSettings } from '../../../src/credit-control/settings.js';
import { startLocalRedis, type LocalRedis } from '../../../src/redis/local-redis.js';
import { startServer, type RunningServer } from '../../../src/server/start.js';
import { VERSION } from '../../../src/version.js';
import { Scrape } from './exposition.js';

let redis: LocalRedis | undefined;
let server: RunningServer | undefined;
const logs: Record<string, unknown>[] = [];

beforeAll(async () => {
  redis = await startLocalRedis({ persistence: 'none' });
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line) logs.push(JSON.parse(line) as Record<string, unknown>);
      }
      done();
    },
  });
  const config = loadConfig({
    DIAMETER_HOST: '127.0.0.1',
    DIAMETER_PORT: '0',
    HTTP_HOST: '127.0.0.1',
    HTTP_PORT: '0',
    REDIS_URL: redis.url,
    REDIS_COMMAND_TIMEOUT_MS: '500',
  });
  server = await startServer(config, {
    supervisionIntervalMs: 0,
    settings: chargingSettings(),
    logger: pino({ level: 'info' }, sink),
  });
});

afterAll(async () => {
  try {
    await server?.close();
  } finally {
    await redis?.stop();
  }
});

describe('a scrape', () => {
  it('names the build and holds every error series at 0 before any traffic', async () => {
    const s = await Scrape.of(server!.httpPort);
    expect(s.all('ocs_build_info')).toEqual([
      {
        name: 'ocs_build_info',
        labels: { name: 'gy-ocs', version: VERSION, node: process.version },
        value: 1,
      },
    ]);
    for (const request_type of ['INITIAL', 'UPDATE', 'TERMINATION', 'EVENT']) {
      for (const result_code of ['2001', '3004', '4010', '4012', '5012', '5030', '5031']) {
        expect(s.value('ocs_diameter_answers_total', { command: 'CC', request_type, result_code })).toBe(0);
      }
    }
    for (const result_code of ['3001', '3004', '3010', '5001', '5004', '5005', '5014', '5015']) {
      expect(s.value('ocs_diameter_protocol_errors_total', { result_code })).toBe(0);
    }
    for (const request_type of ['initial', 'update', 'termination', 'event']) {
      for (const reason of ['timeout', 'unavailable', 'deadline_passed']) {
        expect(s.value('ocs_charging_store_unavailable_total', { request_type, reason })).toBe(0);
      }
      expect(
        s.value('ocs_charging_service_results_total', { service: 'data', request_type, result_code: '5012' }),
      ).toBe(0);
    }
    for (const outcome of ['ok', 'timeout', 'unavailable', 'error']) {
      expect(s.value('ocs_store_script_calls_total', { script: 'apply', outcome })).toBe(0);
    }
    for (const reason of ['tcc-expired', 'abort', 'unknown-at-client']) {
      expect(s.value('ocs_charging_sessions_closed_total', { service: 'voice', reason })).toBe(0);
    }
    expect(s.value('ocs_store_redis_connected')).toBe(1);
    expect(s.value('ocs_charging_sessions_active')).toBe(0);
    expect(s.value('ocs_metrics_collect_errors_total', { metric: 'ocs_charging_sessions_active' })).toBe(0);
  });

  it('while Redis is away: connected 0, shared state left out and counted, the loss logged', async () => {
    await redis!.stop();
    await expect
      .poll(async () => (await Scrape.of(server!.httpPort)).value('ocs_store_redis_connected'))
      .toBe(0);
    const s = await Scrape.of(server!.httpPort);
    expect(s.all('ocs_charging_sessions_active')).toEqual([]);
    expect(s.all('ocs_charging_money_reserved')).toEqual([]);
    expect(
      s.value('ocs_metrics_collect_errors_total', { metric: 'ocs_charging_sessions_active' }),
    ).toBeGreaterThan(0);
    expect(
      s.value('ocs_metrics_collect_errors_total', { metric: 'ocs_charging_money_reserved' }),
    ).toBeGreaterThan(0);
    expect(s.value('ocs_build_info', { name: 'gy-ocs', version: VERSION, node: process.version })).toBe(1);
    expect(logs).toContainEqual(expect.objectContaining({ level: 40, msg: 'Redis reconnecting' }));
    expect(logs).toContainEqual(
      expect.objectContaining({
        level: 40,
        msg: 'metric not read: left out of the scrape',
        metric: 'ocs_charging_sessions_active',
      }),
    );
  });
});
