import { checkBundles } from './bundle-check.js';
import type { ExpectedMoney } from './money.js';
import { change, totalOf, type BalanceSnapshot } from './provision.js';
import type { Report } from './report.js';

const n = (v: number) => v.toLocaleString('en-US');

/**
 * The money check. Every account's money: nothing left reserved, nothing appeared or vanished
 * (only top-ups and refunds move available + reserved + spent, and the run makes none); the
 * same for the other buckets (VPN free credits). Money spent: exactly what the tariff gives,
 * except for VPN package members, whose calls a package may price (free levels first, in
 * buckets of their own): their spent must lie between what the tariff gives for the rest of
 * their usage and that plus the most the package calls can cost, and the free credits must
 * not have been spent by more than those calls can take. The report says what was bounded.
 */
export function compareBalances(
  report: Report,
  expected: ExpectedMoney,
  before: BalanceSnapshot,
  after: BalanceSnapshot,
): void {
  const money = report.money!;
  money.spent = change(after.spent, before.spent);
  money.reservedChange = change(after.reserved, before.reserved);
  money.totalChange = change(totalOf(after), totalOf(before));
  money.accounts = after.accounts;
  const m = expected.members;
  const membersSpent = change(after.apart.spent, before.apart.spent);
  if (expected.packages.size > 0) {
    money.members = {
      accounts: after.apart.accounts,
      packageReports: m.reports,
      packageSeconds: m.seconds,
      spent: membersSpent,
      spentAtLeast: m.exact,
      spentAtMost: m.exact + m.moneyMax,
    };
  }
  money.freeCredit = {
    spent: change(after.free.spent, before.free.spent),
    spentAtMost: m.freeMax,
    reservedChange: change(after.free.reserved, before.free.reserved),
    totalChange: change(totalOf(after.free), totalOf(before.free)),
  };
  const bundles =
    expected.bundles.size > 0 ? checkBundles(expected.bundles, before, after, expected.packages) : undefined;
  if (bundles) money.bundles = bundles.report;
  if (m.reports > 0) {
    money.notChecked =
      `the price of ${n(m.reports)} voice reports (${n(m.seconds)} s) of VPN package members: their ` +
      "package's levels price them by what is left of each free credit, so their money is only " +
      'checked within bounds, and the free credits only not to be spent by more than those calls can take';
  }
  if (bundles && bundles.report.bounded > 0) {
    const bounded =
      `how the usage of ${n(bundles.report.bounded)} accounts holding bundles split between bundles ` +
      'and money: their grants overlapped (sessions at once, several rating groups, or VPN calls), so ' +
      'the split depends on the order the server froze them in, and only bounds are checked';
    money.notChecked = money.notChecked ? `${money.notChecked}; ${bounded}` : bounded;
  }
  if (report.sessions.total.aborted > 0) {
    report.warnings.push(
      'sessions were cut short, so reservations may still be held: the money check is skipped',
    );
    return;
  }
  const problems: string[] = [];
  const othersSpent = money.spent - membersSpent - (bundles?.boundedSpent ?? 0);
  const othersExpected =
    money.expected + money.expectedVpn - m.exact - m.tariffPrice - (bundles?.boundedExpected ?? 0);
  if (othersSpent !== othersExpected) {
    problems.push(
      `${money.members ? 'the accounts the tariff alone prices' : 'the accounts'} spent ${othersSpent}, ` +
        `the tariff gives ${othersExpected}`,
    );
  }
  const members = money.members;
  if (members && (members.spent < members.spentAtLeast || members.spent > members.spentAtMost)) {
    problems.push(
      `the VPN package members spent ${members.spent}, ` +
        (members.spentAtLeast === members.spentAtMost
          ? `the tariff gives ${members.spentAtLeast}`
          : `between ${members.spentAtLeast} and ${members.spentAtMost} was possible`),
    );
  }
  if (money.reservedChange !== 0) problems.push(`money reserved changed by ${money.reservedChange}`);
  if (money.totalChange !== 0)
    problems.push(`money in total (available + reserved + spent) changed by ${money.totalChange}`);
  const free = money.freeCredit;
  if (free.spent < 0 || free.spent > free.spentAtMost) {
    problems.push(
      `free credits spent ${free.spent}, ` +
        (free.spentAtMost === 0
          ? 'though no call could take any'
          : `the package calls could take at most ${free.spentAtMost}`),
    );
  }
  if (free.reservedChange !== 0) problems.push(`free credits reserved changed by ${free.reservedChange}`);
  if (free.totalChange !== 0) problems.push(`free credits in total changed by ${free.totalChange}`);
  if (bundles) problems.push(...bundles.problems);
  money.consistent = problems.length === 0;
  if (!money.consistent) {
    report.warnings.push(`balances not as the run explains them: ${problems.join('; ')}`);
    report.ok = false;
  }
}
