// POSIX shell quoting for commands run in a guest: any string becomes one word that sh, bash
// or dash reads back unchanged; plain words stay bare so logged commands remain readable.
// (src/render/sh-escape.ts quotes for generated scripts and raises RenderError; this one is
// the verification area's.)
import { VerifyError } from '../errors.js';

export function shellQuote(value: string): string {
  if (value.includes('\0')) {
    throw new VerifyError('a value for a guest command contains a NUL byte');
  }
  if (value !== '' && /^[A-Za-z0-9_@%+=:,./-]+$/.test(value)) return value;
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

export function shellJoin(words: string[]): string {
  return words.map(shellQuote).join(' ');
}
