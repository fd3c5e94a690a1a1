// POSIX shell quoting: any string without NUL becomes one word that sh, bash or dash reads back
// unchanged; plain words stay bare so logged commands remain readable.

export function shellQuote(value: string): string {
  if (value.includes('\0')) throw new RangeError('a shell word cannot contain a NUL byte');
  if (value !== '' && /^[A-Za-z0-9_@%+=:,./-]+$/.test(value)) return value;
  return quoteAlways(value);
}

// Always single-quoted, for generated scripts where every value should look the same.
export function quoteAlways(value: string): string {
  if (value.includes('\0')) throw new RangeError('a shell word cannot contain a NUL byte');
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

export function shellJoin(words: string[]): string {
  return words.map(shellQuote).join(' ');
}
