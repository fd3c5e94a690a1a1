// Plain-text tables for listing commands: padded columns, printed to stdout (redacted).
import { redact } from '../redact.js';

export function formatTable(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]))).join('  ').trimEnd();
  return [line(headers), ...rows.map(line)].join('\n');
}

export function printTable(headers: string[], rows: string[][]): void {
  process.stdout.write(`${redact(formatTable(headers, rows))}\n`);
}
