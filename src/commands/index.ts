import { account } from './account.js';
import { audit } from './audit.js';
import { cdrExport } from './cdr-export.js';
import type { Command } from './command.js';
import { demo } from './demo.js';
import { exportCommand } from './export.js';
import { provision } from './provision.js';
import { serve } from './serve.js';
import { simulate } from './simulate.js';
import { topup } from './topup.js';
import { vpnMonthly } from './vpn-monthly.js';

/**
 * Every `ocs` sub-command, in the order `ocs --help` lists them. A command's module holds its
 * arguments and its help; what does the work (the server, Redis, the configuration) is imported
 * when it runs, so that `--help` and a mistake are answered at once and load none of it.
 */
export const COMMANDS: readonly Command[] = [
  serve,
  provision,
  account,
  topup,
  cdrExport,
  exportCommand,
  audit,
  demo,
  simulate,
  vpnMonthly,
];
