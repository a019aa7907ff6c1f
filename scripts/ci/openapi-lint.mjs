#!/usr/bin/env node
/**
 * Lints the admin API's OpenAPI document with Redocly's `recommended` rules, plus an
 * operationId on every operation as an error (clients generated from the document name their
 * methods after it). Offline: the document is built from the compiled server (`npm run build`
 * first), or read from the JSON file named as the argument.
 *
 *   node scripts/ci/openapi-lint.mjs [openapi.json]
 *
 * Prints every problem; exits 1 when any is an error.
 */
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createConfig, lintFromString } from '@redocly/openapi-core';

export const RULES = { extends: ['recommended'], rules: { 'operation-operationId': 'error' } };

/** Every problem Redocly finds in `document`: `{severity, rule, where, message}`. */
export async function lintOpenApi(document) {
  const config = await createConfig(RULES);
  const problems = await lintFromString({
    source: JSON.stringify(document, null, 2),
    absoluteRef: resolve('openapi.json'),
    config,
  });
  return problems.map((p) => ({
    severity: p.severity,
    rule: p.ruleId,
    where: p.location[0]?.pointer ?? '#',
    message: p.message,
  }));
}

async function documentToLint(file) {
  if (file) return JSON.parse(await readFile(file, 'utf8'));
  const built = resolve(dirname(fileURLToPath(import.meta.url)), '../../dist/admin/openapi-document.js');
  const { openApiDocument } = await import(pathToFileURL(built).href).catch((err) => {
    throw new Error(`cannot load ${built}: run npm run build first (${err.message})`);
  });
  return openApiDocument();
}

async function main() {
  const problems = await lintOpenApi(await documentToLint(process.argv[2]));
  for (const p of problems) console.log(`${p.severity.padEnd(5)} ${p.rule} ${p.where}: ${p.message}`);
  const errors = problems.filter((p) => p.severity === 'error').length;
  console.log(`OpenAPI lint: ${errors} errors, ${problems.length - errors} warnings`);
  process.exitCode = errors > 0 ? 1 : 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main().catch((err) => {
    console.error(`OpenAPI lint: ${err.message}`);
    process.exitCode = 2;
  });
}
