// One attempt of one smoke test in a guest: the command it runs, what it expects, what it got.
import type { CommandSmoke, HttpSmoke, ServiceSmoke, SmokeTest, SqlSmoke } from '../spec/types.js';
import type { GuestExec, ExecResult } from './guest.js';
import { shellQuote } from '../util/shell-quote.js';
import { httpCommand, parseHttpOutput, type HttpAnswer, type HttpMethod } from './http-in-guest.js';

export type HttpProbe = (port: number, path: string) => Promise<HttpAnswer>;

export interface CheckContext {
  exec: GuestExec;
  /** Limit for this attempt's command in the guest. */
  timeoutMs: number;
  /** For local boots: the same request from the host through the forwarded port. */
  httpProbe?: HttpProbe;
  httpMethod?: HttpMethod;
}

export interface Outcome {
  passed: boolean;
  actual: string;
}

const SHOWN = 200;

export function expectedOf(test: SmokeTest): string {
  switch (test.type) {
    case 'sql':
      return String(test.expect);
    case 'http':
      return [`status ${test.status ?? 200}`, ...bodyExpectation(test)].join(', ');
    case 'command':
      return [`exit ${test.exit_code ?? 0}`, ...outputExpectation(test)].join(', ');
    case 'service':
      return 'active';
  }
}

function bodyExpectation(test: HttpSmoke): string[] {
  if (test.body_contains === undefined) return [];
  return [`body contains ${JSON.stringify(test.body_contains)}`];
}

function outputExpectation(test: CommandSmoke): string[] {
  const parts: string[] = [];
  if (test.output !== undefined) parts.push(`output ${JSON.stringify(test.output)}`);
  if (test.output_contains !== undefined) {
    parts.push(`output contains ${JSON.stringify(test.output_contains)}`);
  }
  return parts;
}

export function attemptCheck(test: SmokeTest, ctx: CheckContext): Promise<Outcome> {
  switch (test.type) {
    case 'sql':
      return checkSql(test, ctx);
    case 'http':
      return checkHttp(test, ctx);
    case 'command':
      return checkCommand(test, ctx);
    case 'service':
      return checkService(test, ctx);
  }
}

// The database's own client as root over its socket (MariaDB's root uses socket auth):
// -N -B print the bare value, which is then compared exactly.
export function sqlCommand(test: SqlSmoke): string {
  const client = test.client ?? 'mysql';
  return `sudo -n ${client} -N -B -e ${shellQuote(test.query)}`;
}

async function checkSql(test: SqlSmoke, ctx: CheckContext): Promise<Outcome> {
  const result = await ctx.exec(sqlCommand(test), { timeoutMs: ctx.timeoutMs });
  if (result.code !== 0) return { passed: false, actual: failure(result) };
  const value = result.stdout.trim();
  return { passed: value === String(test.expect).trim(), actual: value };
}

async function checkHttp(test: HttpSmoke, ctx: CheckContext): Promise<Outcome> {
  const port = Number(test.port ?? '80');
  const seconds = Math.max(1, Math.floor(ctx.timeoutMs / 1000) - 1);
  const result = await ctx.exec(httpCommand(port, test.path, ctx.httpMethod ?? 'auto', seconds), {
    timeoutMs: ctx.timeoutMs,
  });
  const inGuest = judgeHttp(test, parseHttpOutput(result.stdout), result);
  if (!ctx.httpProbe) return inGuest;
  const fromHost = await probeFromHost(test, port, ctx.httpProbe);
  return {
    passed: inGuest.passed && fromHost.passed,
    actual: `in guest: ${inGuest.actual}; from host: ${fromHost.actual}`,
  };
}

async function probeFromHost(test: HttpSmoke, port: number, probe: HttpProbe): Promise<Outcome> {
  try {
    return judgeHttp(test, await probe(port, test.path));
  } catch (error) {
    return { passed: false, actual: `no response (${(error as Error).message})` };
  }
}

function judgeHttp(test: HttpSmoke, answer: HttpAnswer | undefined, result?: ExecResult): Outcome {
  if (!answer) {
    return { passed: false, actual: result ? `no response (${failure(result)})` : 'no response' };
  }
  const statusOk = answer.status === (test.status ?? 200);
  const bodyOk = test.body_contains === undefined || answer.body.includes(test.body_contains);
  const parts = [`status ${answer.status}`];
  if (test.body_contains !== undefined) {
    parts.push(bodyOk ? 'body contains it' : `body ${JSON.stringify(clip(answer.body.trim()))}`);
  }
  return { passed: statusOk && bodyOk, actual: parts.join(', ') };
}

async function checkCommand(test: CommandSmoke, ctx: CheckContext): Promise<Outcome> {
  const result = await ctx.exec(test.run, { timeoutMs: ctx.timeoutMs });
  const output = result.stdout.trim();
  const codeOk = result.code === (test.exit_code ?? 0);
  const exactOk = test.output === undefined || output === test.output.trim();
  const containsOk =
    test.output_contains === undefined || result.stdout.includes(test.output_contains);
  const parts = [`exit ${result.code}`];
  if (test.output !== undefined || test.output_contains !== undefined) {
    parts.push(`output ${JSON.stringify(clip(output))}`);
  }
  if (!codeOk && result.stderr.trim()) {
    parts.push(`stderr ${JSON.stringify(clip(lastLine(result.stderr)))}`);
  }
  return { passed: codeOk && exactOk && containsOk, actual: parts.join(', ') };
}

// systemd where it is there; otherwise the init script's own status verb.
export function serviceCommand(unit: string): string {
  const u = shellQuote(unit);
  return [
    `if command -v systemctl >/dev/null 2>&1; then systemctl is-active ${u}`,
    `else service ${u} status >/dev/null 2>&1; rc=$?`,
    `if [ "$rc" -eq 0 ]; then echo active; else echo "not running (service status exit $rc)"; fi`,
    'fi',
  ].join('\n');
}

async function checkService(test: ServiceSmoke, ctx: CheckContext): Promise<Outcome> {
  const result = await ctx.exec(serviceCommand(test.unit), { timeoutMs: ctx.timeoutMs });
  const state = result.stdout.trim();
  if (state === '') return { passed: false, actual: failure(result) };
  return { passed: state === 'active', actual: state };
}

function failure(result: ExecResult): string {
  const detail = lastLine(result.stderr) || lastLine(result.stdout);
  return clip(detail ? `exit ${result.code}: ${detail}` : `exit ${result.code}`);
}

function lastLine(text: string): string {
  return text.trim().split('\n').at(-1)?.trim() ?? '';
}

function clip(text: string): string {
  return text.length > SHOWN ? `${text.slice(0, SHOWN)}...` : text;
}
