// Parses a classic five-field cron expression into the set of values each field allows, with
// the day-of-month/day-of-week "star" flags that decide how the two day fields combine.
import { UsageError } from '../errors.js';

export interface CronFields {
  minute: number[];
  hour: number[];
  dayOfMonth: number[];
  month: number[];
  /** 0 = Sunday .. 6 = Saturday (7 is folded into 0). */
  dayOfWeek: number[];
  /**
   * Vixie cron (Debian's cron) treats a day field whose text starts with "*" as unrestricted:
   * if either day field is, a day must match both; otherwise it must match either one.
   */
  dayOfMonthStar: boolean;
  dayOfWeekStar: boolean;
}

interface FieldRule {
  name: string;
  min: number;
  max: number;
  names?: string[];
}

const RULES: FieldRule[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  {
    name: 'month',
    min: 1,
    max: 12,
    names: ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'],
  },
  { name: 'day of week', min: 0, max: 7, names: ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] },
];

function fail(expression: string, message: string): never {
  throw new UsageError(`cron "${expression}": ${message}`, {
    hint: 'write five fields of numbers, names, "*", ranges "a-b", lists "a,b" and steps "/n"',
  });
}

function parseValue(text: string, rule: FieldRule, expression: string): number {
  const named = rule.names?.indexOf(text.toLowerCase()) ?? -1;
  const value = named >= 0 ? named + rule.min : /^\d+$/.test(text) ? Number(text) : NaN;
  if (!Number.isInteger(value) || value < rule.min || value > rule.max) {
    fail(expression, `${rule.name} "${text}" is not within ${rule.min}-${rule.max}`);
  }
  return value;
}

// One comma-separated item: "*", "a", "a-b", each optionally "/step"; "a/step" runs to the max.
function expandItem(item: string, rule: FieldRule, expression: string): number[] {
  const [range, stepText, extra] = item.split('/');
  if (extra !== undefined || range === '') {
    fail(expression, `${rule.name} item "${item}" is malformed`);
  }
  const step = stepText === undefined ? 1 : Number(stepText);
  if (!Number.isInteger(step) || step < 1 || !/^\d+$/.test(stepText ?? '1')) {
    fail(expression, `${rule.name} step "${stepText}" is not a positive whole number`);
  }
  let low: number;
  let high: number;
  if (range === '*') [low, high] = [rule.min, rule.max];
  else if (range.includes('-')) {
    const [a, b, more] = range.split('-');
    if (more !== undefined) fail(expression, `${rule.name} range "${range}" is malformed`);
    [low, high] = [parseValue(a, rule, expression), parseValue(b, rule, expression)];
    if (low > high) fail(expression, `${rule.name} range "${range}" runs backwards`);
  } else {
    low = parseValue(range, rule, expression);
    high = stepText === undefined ? low : rule.max;
  }
  const values: number[] = [];
  for (let v = low; v <= high; v += step) values.push(v);
  return values;
}

// Quartz/Jenkins extensions have no systemd equivalent; names are blanked first ("wed" has a W).
function usesExtension(text: string, rule: FieldRule): boolean {
  const isName = (word: string) => rule.names?.includes(word.toLowerCase()) ?? false;
  const plain = text.replace(/[a-z]{3}/gi, (word) => (isName(word) ? '0' : word));
  return /[?LW#H]/i.test(plain);
}

function parseField(text: string, rule: FieldRule, expression: string): number[] {
  if (usesExtension(text, rule)) {
    fail(expression, `${rule.name} "${text}" uses a non-standard form (? L W # H)`);
  }
  const values = new Set<number>();
  for (const item of text.split(',')) {
    for (const v of expandItem(item, rule, expression)) values.add(v);
  }
  return [...values].sort((a, b) => a - b);
}

export function parseCron(expression: string): CronFields {
  const parts = expression.trim().split(/\s+/);
  if (parts.length !== 5) fail(expression, `expected 5 fields, found ${parts.length}`);
  const [minute, hour, dayOfMonth, month, dayOfWeek] = parts.map((part, i) =>
    parseField(part, RULES[i], expression),
  );
  const weekdays = [...new Set(dayOfWeek.map((d) => d % 7))].sort((a, b) => a - b);
  return {
    minute,
    hour,
    dayOfMonth,
    month,
    dayOfWeek: weekdays,
    dayOfMonthStar: parts[2].startsWith('*'),
    dayOfWeekStar: parts[4].startsWith('*'),
  };
}
