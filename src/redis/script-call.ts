/**
 * What a script command takes: its KEYS, then its ARGV, then optionally a guard, and the Lua
 * that checks the guard before the script runs.
 */

/** Keys first (as many as the script's `keys`), then ARGV. */
export type ScriptArg = string | number;

/**
 * A condition on a call: it runs only if `key` (a string in the slot of the script's keys)
 * holds exactly `value`; otherwise it changes nothing and answers the guard-failed code. The
 * caller acts on what it read earlier (a cached session record, DESIGN §5) without reading it
 * again first.
 */
export interface Guard {
  key: string;
  value: string;
}

/** Keys and arguments of a script call, then optionally its guard. */
export type ScriptCallArg = ScriptArg | Guard;

/**
 * Lua defining `guarded(body, KEYS, ARGV)`: runs `body` only if the last key holds the last
 * argument, both taken off first; else answers `{failedCode, reason}`.
 */
export function guardLua(failedCode: number): string {
  return `local function guarded(body, KEYS, ARGV)
  local n, a = #KEYS, #ARGV
  if redis.call('GET', KEYS[n]) ~= ARGV[a] then
    return { ${failedCode}, 'the guard key no longer holds the value' }
  end
  KEYS[n] = nil
  ARGV[a] = nil
  return body(KEYS, ARGV)
end`;
}

/** A script as EVAL runs it with a guard: its body wrapped, the guard checked first. */
export function guardedScript(guard: string, source: string): string {
  return [guard, `local function body(KEYS, ARGV)\n${source}\nend`, 'return guarded(body, KEYS, ARGV)'].join(
    '\n',
  );
}
