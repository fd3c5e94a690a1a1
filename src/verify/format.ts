// The human-readable form of smoke results and audit findings, for stderr.
import type { AuditFinding, SmokeResult } from '../manifest-types.js';

const WIDTH = { name: 28, expected: 36, actual: 48 };

export function formatResults(results: SmokeResult[]): string {
  if (results.length === 0) return 'no smoke tests for this target\n';
  const rows = results.map((r) => [
    r.passed ? 'PASS' : 'FAIL',
    fit(r.name, WIDTH.name),
    r.type,
    fit(r.expected, WIDTH.expected),
    fit(r.actual, WIDTH.actual),
    `${r.seconds.toFixed(1)}s`,
  ]);
  const table = [['', 'NAME', 'TYPE', 'EXPECTED', 'ACTUAL', 'TIME'], ...rows];
  const widths = table[0].map((_, i) => Math.max(...table.map((row) => row[i].length)));
  const pad = (row: string[]) => row.map((cell, i) => cell.padEnd(widths[i])).join('  ').trimEnd();
  const lines = table.map(pad);
  // Not "N passed, N failed": CI reads that form as a test runner's verdict.
  const passed = results.filter((r) => r.passed).length;
  lines.push(`${passed} of ${results.length} smoke tests passed`);
  return `${lines.join('\n')}\n`;
}

export function formatFindings(findings: AuditFinding[], severity: 'error' | 'warning'): string {
  if (findings.length === 0) return 'audit: no findings\n';
  const head = `audit: ${findings.length} finding(s) (${severity})`;
  const lines = findings.map((f) => `  ${f.kind.padEnd(18)} ${f.path}  ${f.detail}`);
  return `${[head, ...lines].join('\n')}\n`;
}

function fit(text: string, width: number): string {
  const flat = text.replace(/\s+/g, ' ');
  return flat.length > width ? `${flat.slice(0, width - 3)}...` : flat;
}
