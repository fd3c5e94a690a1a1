// Converts a five-field cron expression to systemd OnCalendar= values with the same firings.
// Both read local time. When both day fields are restricted cron fires on EITHER, while one
// OnCalendar value needs BOTH, so that case yields two values (a timer may list several).
import { parseCron, type CronFields } from './cron-fields.js';

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

// Consecutive runs of three or more become "a..b"; pairs stay a list, as systemd prints them.
function compress(values: number[], show: (v: number) => string): string {
  const parts: string[] = [];
  for (let i = 0; i < values.length; ) {
    let j = i;
    while (j + 1 < values.length && values[j + 1] === values[j] + 1) j++;
    if (j - i >= 2) parts.push(`${show(values[i])}..${show(values[j])}`);
    else for (let k = i; k <= j; k++) parts.push(show(values[k]));
    i = j + 1;
  }
  return parts.join(',');
}

function isAll(values: number[], min: number, max: number): boolean {
  return values.length === max - min + 1;
}

function numbers(values: number[], min: number, max: number): string {
  return isAll(values, min, max) ? '*' : compress(values, (v) => String(v).padStart(2, '0'));
}

// systemd weeks start on Monday, so Sunday (cron 0) sorts last and ranges never wrap.
function weekdays(days: number[]): string {
  const mondayFirst = days.map((d) => (d === 0 ? 7 : d)).sort((a, b) => a - b);
  return compress(mondayFirst, (d) => WEEKDAYS[d % 7]);
}

function calendar(f: CronFields, days: number[] | undefined, weekdayList: number[] | undefined) {
  const date = `*-${numbers(f.month, 1, 12)}-${days ? numbers(days, 1, 31) : '*'}`;
  const time = `${numbers(f.hour, 0, 23)}:${numbers(f.minute, 0, 59)}:00`;
  const week = weekdayList && weekdayList.length < 7 ? `${weekdays(weekdayList)} ` : '';
  return `${week}${date} ${time}`;
}

/** OnCalendar= values (one, or two when cron's either-day rule applies) for a cron expression. */
export function cronToOnCalendar(expression: string): string[] {
  const f = parseCron(expression);
  if (f.dayOfMonthStar || f.dayOfWeekStar) {
    return [calendar(f, f.dayOfMonth, f.dayOfWeek)];
  }
  return [calendar(f, f.dayOfMonth, undefined), calendar(f, undefined, f.dayOfWeek)];
}
