/** The BENCH_* settings, and the sizes of a run (BENCH_SIZE=small or full). */
export const small = process.env.BENCH_SIZE === 'small';
export const SIZE = small ? 'small' : 'full';
export const PHASE_SECONDS = Number(process.env.BENCH_SECONDS ?? (small ? 4 : 25));
export const WARMUP_SECONDS = small ? 2 : 5;
export const SESSIONS = Number(process.env.BENCH_SESSIONS ?? 300);
export const FIXED_RATE = Number(process.env.BENCH_RATE ?? 5000);
/** The moderate load, where answer batching must not add delay. */
export const MODERATE_RATE = Number(process.env.BENCH_MODERATE_RATE ?? 1000);
export const ACCOUNTS = small ? 2000 : 10_000;
export const MEMBERS = small ? 500 : 1000;
export const MEMORY_SESSIONS = small ? 2000 : 20_000;
export const STORE_CALLS = small ? 10_000 : 100_000;
export const STORE_ROUNDS = 3;
export const STORE_IN_FLIGHT = 200;
export const BENCHMARK_REQUESTS = small ? 50_000 : 500_000;
export const SOAK_MINUTES = Number(process.env.BENCH_SOAK_MINUTES ?? 0);
export const SOAK_SAMPLE_SECONDS = 2;
export const SOAK_PRINT_SECONDS = 10;
/** CCR/s of the soak; default: half of what phase (a) measured, a load the server sustains. */
export const SOAK_RATE = Number(process.env.BENCH_SOAK_RATE ?? 0);
export const PROFILE = process.env.BENCH_PROFILE === '1';
/**
 * The server exports CDRs and ledger entries to files as production runs (BENCH_EXPORT=0: not),
 * keeping EXPORT_KEEP_SECONDS of them in Redis: shorter than the soak's first minute, so that
 * past it Redis holds a window and its memory is flat.
 */
export const EXPORT = process.env.BENCH_EXPORT !== '0';
export const EXPORT_KEEP_SECONDS = 30;
/**
 * How long what a finished session leaves behind stays in Redis (operation ids for
 * retransmissions about 10 min, the closed record 5): the soak judges Redis's growth only on the
 * samples after it, and only when it runs two minutes past it.
 */
export const SOAK_SETTLE_SECONDS = Number(process.env.BENCH_SOAK_SETTLE_SECONDS ?? 660);

export const MiB = 1_048_576;
