#!/usr/bin/env node
import { runOcs } from './commands/dispatch.js';

runOcs(process.argv.slice(2), process.env).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
