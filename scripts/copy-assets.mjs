// Lua scripts are read at run time beside the compiled modules, so the build copies them.
import { cpSync, existsSync } from 'node:fs';

const assets = [
  ['src/balance/lua', 'dist/balance/lua'],
  ['src/vpn/lua', 'dist/vpn/lua'],
  ['src/credit-control/lua', 'dist/credit-control/lua'],
  ['src/export/lua', 'dist/export/lua'],
];
for (const [from, to] of assets) {
  if (existsSync(from)) cpSync(from, to, { recursive: true });
}
