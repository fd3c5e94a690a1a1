// One litmus test's outcome and its one-line rendering:
// `ok|warn|fail  <check>: <finding>  (remedy: ...)`.
import type { PolicyStatement } from '../iam/policy-types.js';

export type CheckStatus = 'ok' | 'warn' | 'fail';

export interface CheckResult {
  status: CheckStatus;
  check: string;
  finding: string;
  remedy?: string;
  /** The IAM action the identity lacks, when that is the finding. */
  missingAction?: string;
  /** The statement that grants it, from the iam-policy generator. */
  statement?: PolicyStatement;
}

export function ok(check: string, finding: string): CheckResult {
  return { status: 'ok', check, finding };
}

export function warnResult(check: string, finding: string, remedy?: string): CheckResult {
  return remedy ? { status: 'warn', check, finding, remedy } : { status: 'warn', check, finding };
}

export function fail(check: string, finding: string, remedy?: string): CheckResult {
  return remedy ? { status: 'fail', check, finding, remedy } : { status: 'fail', check, finding };
}

export function formatResult(result: CheckResult): string {
  const remedy = result.remedy ? `  (remedy: ${result.remedy})` : '';
  return `${result.status.padEnd(4)}  ${result.check}: ${result.finding}${remedy}`;
}

export function anyFailed(results: CheckResult[]): boolean {
  return results.some((r) => r.status === 'fail');
}

/** The first line of an error's message. */
export function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return (text.split('\n')[0] ?? text).trim();
}
