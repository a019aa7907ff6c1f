/** Latency of one request type, in milliseconds. */
export interface LatencySummary {
  count: number;
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
  /** The percentile distribution, for plots: [percentile, milliseconds]. */
  distribution: [number, number][];
}

export interface UnexpectedAnswer {
  request: string;
  /** 'command' for the Result-Code of the answer, 'mscc' for one inside an MSCC. */
  level: 'command' | 'mscc';
  resultCode: number;
  count: number;
  exampleSessionId: string;
  errorMessage?: string;
}

export interface KindCounts {
  started: number;
  completed: number;
  /** Completed, but some request was refused. */
  refused: number;
  /** Cut short: a request timed out or the connection closed. */
  aborted: number;
}

/** The accounts holding bundles, checked one by one (DESIGN §3, Bundles). */
export interface BundleMoneyCheck {
  accounts: number;
  /** Per bundle id, in its own units: what the usage says its buckets covered, and their spent. */
  byBundle: Record<string, { expected: number; spent: number }>;
  /** Change of the bundle buckets' `reserved`, and of available + reserved + spent: both 0. */
  reservedChange: number;
  totalChange: number;
  /** Accounts whose grants overlapped: their split between bundles and money is only bounded. */
  bounded: number;
}

export interface MoneyCheck {
  /** What the scenario's tariff gives for the usage the server accepted (minor units). */
  expected: number;
  /** The same for VPN calls, which a VPN package may price differently. */
  expectedVpn: number;
  /** Change of `spent` over the provisioned accounts, when they could be read. */
  spent?: number;
  /** Change of `reserved`: 0 once every session has ended. */
  reservedChange?: number;
  /** Change of available + reserved + spent: 0 (only top-ups and refunds move it). */
  totalChange?: number;
  accounts?: number;
  /**
   * The accounts whose voice calls a VPN package may price (members with a package of
   * intra-group voice): their money is checked apart, within bounds.
   */
  members?: {
    accounts: number;
    /** Their voice reports a package may have priced, and the seconds reported. */
    packageReports: number;
    packageSeconds: number;
    /** Change of their money's `spent`: at least what the tariff gives for the rest of their usage... */
    spent: number;
    spentAtLeast: number;
    /** ...and at most that plus the most the package calls can cost in money. */
    spentAtMost: number;
  };
  /** Every bucket but money (VPN free credits): spent by at most what package calls can take. */
  freeCredit?: { spent: number; spentAtMost: number; reservedChange: number; totalChange: number };
  /** Accounts holding bundles: bundles first, money for the rest. */
  bundles?: BundleMoneyCheck;
  /** What the money check could only bound, not compare exactly; absent when it compared everything. */
  notChecked?: string;
  consistent?: boolean;
}

export interface CpuFigure {
  userMs: number;
  systemMs: number;
  /** (user + system) per CCR answered. */
  microsPerCcr: number;
}

/** The end-of-run report; also the JSON file written for CI. */
export interface Report {
  scenario: string;
  startedAt: string;
  seconds: number;
  peers: number;
  mode: string;
  ccr: {
    sent: number;
    answered: number;
    timedOut: number;
    /** Sent but neither answered nor timed out when the run ended (connection lost, stopped). */
    unanswered: number;
    perSecond: number;
    byType: Record<string, { sent: number; answered: number; timedOut: number }>;
    /** Due by the schedule but not sent (the sender or the in-flight window could not keep up). */
    missed: number;
    /** Answers 3004 (too busy): each request was sent again, and is counted once in the rest. */
    busy: number;
  };
  sessions: Record<string, KindCounts> & { total: KindCounts };
  resultCodes: Record<string, Record<string, number>>;
  msccResultCodes: Record<string, number>;
  unexpected: UnexpectedAnswer[];
  unexpectedTotal: number;
  latencyMs: Record<string, LatencySummary>;
  /** The simulator's CPU, and that of the processes named with --server-pid. */
  cpu: { simulator: CpuFigure; processes: (CpuFigure & { pid: number })[] };
  money?: MoneyCheck;
  /**
   * Requests the server sent about sessions in progress: Re-Auth (each answered RAA, then a
   * CCR-U with FORCED_REAUTHORISATION) and Abort-Session (ASA, then the CCR-T); `unknownSession`
   * of them named a session already over, answered 5002.
   */
  serverRequests: { rar: number; asr: number; unknownSession: number };
  /** Lines worth reading: the run did not go as the scenario expected. */
  warnings: string[];
  ok: boolean;
}

/** An empty report to fill. */
export function emptyReport(scenario: string, peers: number, mode: string, startedAt: Date): Report {
  return {
    scenario,
    startedAt: startedAt.toISOString(),
    seconds: 0,
    peers,
    mode,
    ccr: { sent: 0, answered: 0, timedOut: 0, unanswered: 0, perSecond: 0, byType: {}, missed: 0, busy: 0 },
    sessions: { total: { started: 0, completed: 0, refused: 0, aborted: 0 } },
    resultCodes: {},
    msccResultCodes: {},
    unexpected: [],
    unexpectedTotal: 0,
    serverRequests: { rar: 0, asr: 0, unknownSession: 0 },
    latencyMs: {},
    cpu: { simulator: { userMs: 0, systemMs: 0, microsPerCcr: 0 }, processes: [] },
    warnings: [],
    ok: true,
  };
}
