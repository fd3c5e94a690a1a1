// Runs `packer build -machine-readable` through zx, turning its stream into progress lines
// on stderr and a redacted full log; success is Packer's exit code plus a parsed artifact.
import { createWriteStream } from 'node:fs';
import path from 'node:path';
import { $ } from 'zx';
import { info } from '../log.js';
import { redact } from '../redact.js';
import { PackerError, InterruptedError } from '../errors.js';
import { ArtifactCollector, parsePackerLine, progressText, type PackerArtifact } from './packer-stream.js';

export interface PackerRunOptions {
  /** Directory holding build.pkr.hcl. */
  dir: string;
  logFile: string;
  env?: Record<string, string>;
  /** Extra arguments before the template, e.g. ["-force"]. */
  args?: string[];
  /** Aborting stops Packer (SIGINT, then SIGKILL of its whole tree after graceMs). */
  signal?: AbortSignal;
  graceMs?: number;
}

export interface PackerRunResult {
  exitCode: number;
  artifacts: PackerArtifact[];
  /** The last error lines Packer printed, for the failure message. */
  errors: string[];
  /** The provisioner running when the build ended (a script path or an upload), if any. */
  lastStep?: string;
  seconds: number;
}

function elapsed(start: number): string {
  const s = Math.round((Date.now() - start) / 1000);
  return `${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
}

export async function runPackerBuild(options: PackerRunOptions): Promise<PackerRunResult> {
  const start = Date.now();
  const log = createWriteStream(options.logFile, { flags: 'a', mode: 0o600 });
  const collector = new ArtifactCollector();
  const errors: string[] = [];
  let lastStep: string | undefined;
  const env = { ...process.env, CHECKPOINT_DISABLE: '1', PACKER_NO_COLOR: '1', ...options.env };
  const args = ['build', '-machine-readable', '-color=false', ...(options.args ?? []), '.'];
  // setpriv: should amibake die without a word (kill -9, OOM), the kernel sends Packer SIGTERM
  // and Packer tears down its VM, instead of baking on unwatched and holding the machine.
  const packer = ['--pdeathsig', 'TERM', 'packer', ...args];
  const child = $({ cwd: options.dir, env, nothrow: true, quiet: true })`setpriv ${packer}`;

  let interrupted = false;
  const stop = () => {
    interrupted = true;
    info('stopping Packer (it tears down its VM)...');
    void child.kill('SIGINT').catch(() => undefined);
    setTimeout(() => void child.kill('SIGKILL').catch(() => undefined), options.graceMs ?? 30_000).unref();
  };
  if (options.signal?.aborted) stop();
  options.signal?.addEventListener('abort', stop, { once: true });

  child.stderr.on('data', (chunk: Buffer) => log.write(redact(chunk.toString())));
  try {
    for await (const raw of child) {
      log.write(`${redact(raw)}\n`);
      const line = parsePackerLine(raw);
      if (!line) continue;
      collector.add(line);
      const text = progressText(line);
      if (!text) continue;
      const step = provisionerOf(text);
      // A step's stderr ("Synchronizing state of x.service...") says nothing about why a later
      // one failed: only the running step's error lines are kept for the message.
      if (step) {
        lastStep = step;
        errors.length = 0;
      }
      if (line.type === 'ui' && line.data[0] === 'error') errors.push(text.replace(/^! /, ''));
      info(`[${elapsed(start)}] ${text}`);
    }
  } finally {
    options.signal?.removeEventListener('abort', stop);
  }
  const output = await child;
  await new Promise<void>((resolve) => log.end(resolve));

  const exitCode = output.exitCode ?? 1;
  const seconds = (Date.now() - start) / 1000;
  if (interrupted) throw new InterruptedError(`packer build interrupted after ${seconds.toFixed(0)} s`);
  return { exitCode, artifacts: collector.list(), errors: errors.slice(-20), seconds, lastStep };
}

// "==> qemu.x: Provisioning with shell script: /p/load-sakila.sh" -> "load-sakila.sh"
function provisionerOf(text: string): string | undefined {
  const script = /Provisioning with shell script: (\S+)/.exec(text);
  if (script) return path.basename(script[1]);
  const upload = /Uploading (\S+) => (\S+)/.exec(text);
  return upload ? `upload of ${path.basename(upload[1])}` : undefined;
}

const GUEST_LINE = /^==> [\w.-]+: (.*)$/;
const ERRORED = /^Build '[^']+' errored after [^:]+: (.*)$/;

// One line from Packer's error lines: the guest's last complaints ("E: Unable to locate
// package x", a step's stderr) and Packer's reason, not its closing summary ("==> Some builds
// didn't complete...", "--> builder: ..."), which only repeats the reason.
export function failureSummary(errors: string[]): string {
  const flat = errors.map((e) => e.replace(/\s+/g, ' ').trim()).filter((e) => e !== '');
  const guest = flat.flatMap((e) => GUEST_LINE.exec(e)?.[1] ?? []).filter((e) => e !== '');
  const reasons = flat.flatMap((e) => ERRORED.exec(e)?.[1] ?? []);
  const other = flat.filter((e) => !GUEST_LINE.test(e) && !/^(==>|-->) /.test(e));
  const reason = reasons.at(-1) ?? other.at(-1);
  return [...guest.slice(-3), ...(reason ? [reason] : [])].join(' | ');
}

// Throws with Packer's own last error lines when the build failed or made no artifact.
export function requireArtifact(result: PackerRunResult, logFile: string): PackerArtifact {
  const last = failureSummary(result.errors);
  if (result.exitCode !== 0) {
    const step = result.lastStep ? ` in step ${result.lastStep}` : '';
    throw new PackerError(`packer build failed${step} (exit ${result.exitCode}): ${last || 'see log'}`, {
      hint: `full log: ${logFile}`,
    });
  }
  const artifact = result.artifacts[0];
  if (!artifact) throw new PackerError('packer build exited 0 but reported no artifact', { hint: `full log: ${logFile}` });
  return artifact;
}
