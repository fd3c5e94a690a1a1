import test from 'ava';
import { spawnSync } from 'node:child_process';
import { CronExpressionParser } from 'cron-parser';
import { cronToOnCalendar } from '../../src/schedule/on-calendar.js';
import { parseCron } from '../../src/schedule/cron-fields.js';
import { UsageError } from '../../src/errors.js';

const BASE = '2024-12-31 23:59:30 UTC';
const COUNT = 40;

// The next firings systemd itself computes for OnCalendar values, merged and de-duplicated.
function systemdFirings(values: string[], count: number): string[] {
  const result = spawnSync(
    'systemd-analyze',
    ['calendar', `--iterations=${count}`, `--base-time=${BASE}`, ...values],
    { encoding: 'utf8', env: { ...process.env, TZ: 'UTC' } },
  );
  if (result.status !== 0) throw new Error(`systemd-analyze: ${result.stderr}`);
  const stamps = [...result.stdout.matchAll(/(?:Next elapse|Iter\. #\d+): \w+ (\S+ \S+) UTC/g)];
  return [...new Set(stamps.map((m) => m[1]))].sort().slice(0, count);
}

function cronFirings(expression: string, count: number): string[] {
  const cron = CronExpressionParser.parse(expression, {
    currentDate: new Date('2024-12-31T23:59:30Z'),
    tz: 'UTC',
  });
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    out.push(cron.next().toDate().toISOString().replace('T', ' ').slice(0, 19));
  }
  return out;
}

const SAME_FIRINGS = [
  '0 3 * * 1',
  '*/15 * * * *',
  '30 4 1,15 * *',
  '0 22 * * 1-5',
  '5 0 * 8 *',
  '0 0,12 1 */2 *',
  '23 0-20/2 * * *',
  '0 0 * * 0',
  '0 0 * * 7',
  '0 9 * jan,jul mon-fri',
  '0 0 29 2 *',
  '0 6 * * sat,sun',
  '0 4 8-14 * 1',
  '45 23 13 * 5',
  '7/20 5 * * *',
];

for (const expression of SAME_FIRINGS) {
  test(`"${expression}" fires at the same ${COUNT} times under systemd as under cron`, (t) => {
    const values = cronToOnCalendar(expression);
    t.deepEqual(systemdFirings(values, COUNT), cronFirings(expression, COUNT), values.join(' | '));
  });
}

test('restricting both day fields gives two OnCalendar values, one per day rule', (t) => {
  t.deepEqual(cronToOnCalendar('0 4 8-14 * 1'), ['*-*-08..14 04:00:00', 'Mon *-*-* 04:00:00']);
});

test('a day field starting with "*" makes the days combine with AND, as Debian cron does', (t) => {
  const values = cronToOnCalendar('0 0 */10 * 1');
  t.deepEqual(values, ['Mon *-*-01,11,21,31 00:00:00']);
  const firings = systemdFirings(values, 3);
  t.deepEqual(firings, ['2025-03-31 00:00:00', '2025-04-21 00:00:00', '2025-07-21 00:00:00']);
});

test('Sunday written as 0 or 7 sorts last in a Monday-first week and joins a range', (t) => {
  t.deepEqual(cronToOnCalendar('0 1 * * 0,5,6'), ['Fri..Sun *-*-* 01:00:00']);
  t.deepEqual(cronToOnCalendar('0 1 * * 1-7'), ['*-*-* 01:00:00']);
});

test('names, steps and ranges expand to the values cron means', (t) => {
  const fields = parseCron('*/20 9-17/4 1 feb-apr sun');
  t.deepEqual(fields.minute, [0, 20, 40]);
  t.deepEqual(fields.hour, [9, 13, 17]);
  t.deepEqual(fields.month, [2, 3, 4]);
  t.deepEqual(fields.dayOfWeek, [0]);
});

for (const [expression, complaint] of [
  ['0 3 * *', /expected 5 fields, found 4/],
  ['0 0 3 * * 1', /expected 5 fields, found 6/],
  ['0 3 L * *', /non-standard form/],
  ['0 3 * * 1#2', /non-standard form/],
  ['61 3 * * *', /minute "61" is not within 0-59/],
  ['0 5-2 * * *', /hour range "5-2" runs backwards/],
  ['0 3 * * mon/0', /step "0" is not a positive whole number/],
] as const) {
  test(`"${expression}" is refused with a message saying why`, (t) => {
    const error = t.throws(() => cronToOnCalendar(expression), { instanceOf: UsageError });
    t.regex(error!.message, complaint);
  });
}
