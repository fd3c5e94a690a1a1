// Turns values into POSIX shell words: single-quoted, with `'` written as '\''.
import { RenderError } from '../errors.js';
import { quoteAlways } from '../util/shell-quote.js';

export function shQuote(value: string | number): string {
  const text = String(value);
  // A shell word cannot hold NUL; refusing is better than a truncated value.
  if (text.includes('\0')) throw new RenderError('a value for a shell script contains a NUL byte');
  return quoteAlways(text);
}

// Words on continuation lines, so long package lists stay readable in the generated script.
export function shList(values: readonly (string | number)[]): string {
  return values.map(shQuote).join(' \\\n  ');
}
