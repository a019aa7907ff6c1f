/**
 * Codec benchmark: decode a realistic Gy CCR into the typed request, and encode its CCA, as
 * the server does per request. Prints rates and CPU microseconds per operation, with the npm
 * `diameter` package decoding and encoding the same messages in the same run as a baseline.
 */
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import type { LocalIdentity } from '../src/diameter/answers.js';
import { resolveAvps } from '../src/diameter/avps.js';
import { encodeCreditControlAnswer } from '../src/diameter/cca-encode.js';
import { decodeCreditControlRequest } from '../src/diameter/ccr-decode.js';
import { decodeMessage } from '../src/diameter/decode.js';
import { defaultDictionary } from '../src/diameter/dictionary.js';
import { MessageWriter } from '../src/diameter/encode.js';
import { validateAvps } from '../src/diameter/validate.js';
import type { CreditControlAnswer } from '../src/credit-control/types.js';

const small = process.env.BENCH_SIZE === 'small';
const seconds = small ? 0.5 : 3;

const vectors = JSON.parse(
  readFileSync(new URL('../test/vectors/gy-otp-vectors.json', import.meta.url), 'utf8'),
) as {
  messages: { name: string; hex: string }[];
};
const hex = (name: string): Buffer => Buffer.from(vectors.messages.find((m) => m.name === name)!.hex, 'hex');
const ccr = hex('CCR:32251-U-rsu-svcinfo-usu');

const dict = defaultDictionary();
const avps = resolveAvps(dict);
const identity: LocalIdentity = {
  originHost: 'ocs.example.net',
  originRealm: 'example.net',
  originStateId: 1,
  productName: 'gy-ocs',
  vendorId: 0,
  firmwareRevision: 100,
};
const answer: CreditControlAnswer = {
  resultCode: 2001,
  services: [
    {
      ratingGroup: 10,
      resultCode: 2001,
      granted: { totalOctets: 1_048_576 },
      validityTime: 3600,
      volumeQuotaThreshold: 104_857,
      quotaHoldingTime: 300,
    },
  ],
};
const ccrCommand = dict.command(272, 4)!;
const writer = new MessageWriter();
let sink = 0;

function measure(label: string, fn: () => void): { label: string; perSecond: number; cpuMicros: number } {
  for (let i = 0; i < 2000; i++) fn();
  const cpuStart = process.cpuUsage();
  const start = process.hrtime.bigint();
  let n = 0;
  const deadline = start + BigInt(Math.round(seconds * 1e9));
  while (process.hrtime.bigint() < deadline) {
    for (let i = 0; i < 500; i++) fn();
    n += 500;
  }
  const wall = Number(process.hrtime.bigint() - start) / 1e9;
  const cpu = process.cpuUsage(cpuStart);
  return { label, perSecond: n / wall, cpuMicros: (cpu.user + cpu.system) / n };
}

const ours = [
  measure('decode+validate CCR -> typed request', () => {
    const m = decodeMessage(ccr);
    if (validateAvps(dict, m.avps, ccrCommand.request)) throw new Error('vector must validate');
    sink += decodeCreditControlRequest(avps, m).requestNumber;
  }),
  measure('encode CCA', () => {
    sink += encodeCreditControlAnswer(writer, avps, identity, decodeMessage(ccr), answer).length;
  }),
  measure('decode CCR + encode CCA (per request)', () => {
    const m = decodeMessage(ccr);
    if (validateAvps(dict, m.avps, ccrCommand.request)) throw new Error('vector must validate');
    const request = decodeCreditControlRequest(avps, m);
    sink += request.requestNumber + encodeCreditControlAnswer(writer, avps, identity, m, answer).length;
  }),
];

const require = createRequire(import.meta.url);
const npmCodec = require('diameter/lib/diameter-codec') as {
  decodeMessage(b: Buffer): { header: unknown; body: unknown[] };
  constructResponse(m: unknown): { header: unknown; body: unknown[] };
  encodeMessage(m: unknown): Buffer;
};
const baseline = measure('npm diameter: decode CCR + encode CCA', () => {
  const m = npmCodec.decodeMessage(ccr);
  const response = npmCodec.constructResponse(m);
  response.body = response.body.concat([
    ['Result-Code', 'DIAMETER_SUCCESS'],
    ['Origin-Host', 'ocs.example.net'],
    ['Origin-Realm', 'example.net'],
    ['Auth-Application-Id', 'Diameter Credit Control'],
    ['CC-Request-Type', 'UPDATE_REQUEST'],
    ['CC-Request-Number', 1],
    [
      'Multiple-Services-Credit-Control',
      [
        ['Granted-Service-Unit', [['CC-Total-Octets', 1048576]]],
        ['Rating-Group', 10],
        ['Validity-Time', 3600],
        ['Result-Code', 'DIAMETER_SUCCESS'],
      ],
    ],
  ]);
  sink += npmCodec.encodeMessage(response).length;
});

console.log(`codec benchmark (${ccr.length}-byte CCR-U with Service-Information; ${seconds}s per line)`);
for (const r of [...ours, baseline]) {
  console.log(
    `  ${r.label.padEnd(42)} ${Math.round(r.perSecond).toString().padStart(9)}/s  ${r.cpuMicros.toFixed(2).padStart(8)} µs CPU`,
  );
}
const perRequest = ours[2]!;
console.log(`  speed-up over npm diameter: ${(baseline.cpuMicros / perRequest.cpuMicros).toFixed(1)}x`);
console.log(
  `bench:codec decode_per_s=${Math.round(ours[0]!.perSecond)} encode_per_s=${Math.round(ours[1]!.perSecond)} ` +
    `request_cpu_us=${perRequest.cpuMicros.toFixed(2)} npm_diameter_cpu_us=${baseline.cpuMicros.toFixed(2)} sink=${sink > 0 ? 'ok' : 'none'}`,
);
