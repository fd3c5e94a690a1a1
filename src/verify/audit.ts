// Runs audit.sh (the one list of what an image must not carry) in a guest or over a directory
// tree and turns its lines into AuditFindings; a live boot's own traces can be set aside.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { AuditFinding } from '../manifest-types.js';
import type { GuestExec } from './guest.js';
import { localShellExec } from './guest.js';
import { shellQuote } from '../util/shell-quote.js';
import { VerifyError } from '../errors.js';

const SCRIPT_FILE = fileURLToPath(new URL('./audit.sh', import.meta.url));
const AUDIT_TIMEOUT_MS = 10 * 60_000;
const KINDS = new Set<AuditFinding['kind']>([
  'authorized_keys', 'ssh_host_key', 'private_key', 'shell_history', 'cloud_credentials',
  'root_password', 'build_key', 'package_cache', 'cloud_init_state',
]);

export interface RawFinding extends AuditFinding {
  /** The file's ctime in epoch seconds, as the guest saw it. */
  ctime: number;
}

export interface LiveBootFilter {
  /** Public keys (OpenSSH lines) this verification boot installed itself. */
  injectedKeys: string[];
}

export function auditScript(): string {
  return readFileSync(SCRIPT_FILE, 'utf8');
}

// The script travels inside the command (base64), so nothing is written to the guest's disk.
export function auditCommand(root = '/'): string {
  const encoded = Buffer.from(auditScript(), 'utf8').toString('base64');
  const run = `bash -s -- ${shellQuote(root)}`;
  const asRoot = `if [ "$(id -u)" -eq 0 ]; then ${run}; else sudo -n ${run}; fi`;
  return `echo ${encoded} | base64 -d | ${asRoot}`;
}

export function parseAuditOutput(stdout: string): RawFinding[] {
  if (!/^AUDIT-DONE$/m.test(stdout)) {
    throw new VerifyError('the audit script did not run to its end', {
      hint: 'the guest needs bash, find, grep and awk, and passwordless sudo for the SSH user',
    });
  }
  const findings: RawFinding[] = [];
  for (const line of stdout.split('\n')) {
    const [tag, kind, ctime, path, ...detail] = line.split('\t');
    if (tag !== 'FINDING' || !KINDS.has(kind as AuditFinding['kind'])) continue;
    findings.push({
      kind: kind as AuditFinding['kind'],
      path,
      detail: detail.join(' '),
      ctime: Number(ctime) || 0,
    });
  }
  return dedupe(findings);
}

// A file found both by name and by content is reported once, under its most specific kind.
function dedupe(findings: RawFinding[]): RawFinding[] {
  const specific = new Set(findings.filter((f) => f.kind !== 'private_key').map((f) => f.path));
  const seen = new Set<string>();
  return findings.filter((f) => {
    if (f.kind === 'private_key' && specific.has(f.path)) return false;
    const key = [f.kind, f.path, f.kind === 'private_key' ? '' : f.detail].join('\0');
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

// Audits the guest's running system. With `live`, what this very boot made is set aside:
// host keys and cloud-init state changed since boot, and the key the boot installed.
// Known limit: a baked file the boot rewrote (a host key regenerated at boot) is then unseen.
// `root` audits a tree inside the guest instead of its / (a chroot; tests on a stand-in host).
export async function auditGuest(
  exec: GuestExec,
  options: { live?: LiveBootFilter; root?: string } = {},
): Promise<AuditFinding[]> {
  const { live, root = '/' } = options;
  const result = await exec(auditCommand(root), { timeoutMs: AUDIT_TIMEOUT_MS });
  if (result.code !== 0) {
    const why = result.stderr.trim().slice(0, 300);
    throw new VerifyError(`audit failed in the guest (exit ${result.code}): ${why}`);
  }
  const findings = parseAuditOutput(result.stdout);
  if (!live) return findings.map(strip);
  const bootTime = await guestBootTime(exec);
  return findings.filter((f) => !madeByThisBoot(f, bootTime, live)).map(strip);
}

// Audits a directory tree as if it were an image's root (a mirror of a disk, a test tree).
export async function auditTree(root: string): Promise<AuditFinding[]> {
  const result = await localShellExec()(`bash ${shellQuote(SCRIPT_FILE)} ${shellQuote(root)}`, {
    timeoutMs: AUDIT_TIMEOUT_MS,
  });
  if (result.code !== 0) throw new VerifyError(`audit of ${root} failed: ${result.stderr.trim()}`);
  return parseAuditOutput(result.stdout).map(strip);
}

async function guestBootTime(exec: GuestExec): Promise<number> {
  const result = await exec("awk '/^btime / { print $2 }' /proc/stat", { timeoutMs: 30_000 });
  const btime = Number(result.stdout.trim());
  if (result.code !== 0 || !Number.isFinite(btime) || btime <= 0) {
    const why = result.stderr.trim();
    throw new VerifyError(`cannot read the guest's boot time from /proc/stat: ${why}`);
  }
  return btime;
}

function madeByThisBoot(f: RawFinding, bootTime: number, live: LiveBootFilter): boolean {
  if (f.kind === 'ssh_host_key' || f.kind === 'cloud_init_state') return f.ctime >= bootTime;
  if (f.kind === 'authorized_keys' || f.kind === 'build_key') {
    return live.injectedKeys.some((key) => f.detail.startsWith(`key ${keyLabel(key)}`));
  }
  return false;
}

// The same "type ...last16" label audit.sh prints for a key line.
export function keyLabel(publicKey: string): string {
  const [type = '', blob = ''] = publicKey.trim().split(/\s+/);
  return `${type} ...${blob.slice(-16)}`;
}

function strip(f: RawFinding): AuditFinding {
  return { kind: f.kind, path: f.path, detail: f.detail };
}

// Public images must be clean; private ones may ship with findings, reported as warnings.
export type AuditSeverity = 'none' | 'warning' | 'error';

export function auditSeverity(findings: AuditFinding[], isPublic: boolean): AuditSeverity {
  if (findings.length === 0) return 'none';
  return isPublic ? 'error' : 'warning';
}
