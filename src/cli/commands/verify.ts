// amibake verify NAME: boot a baked image, run its smoke tests and the secrets audit, record
// the outcome in the build's manifest. Table on stderr, JSON on stdout with --json; exit 1
// when any smoke test fails.
import { parseCommandArgs } from '../args.js';
import { EXIT, UsageError } from '../../errors.js';
import { printJson, warn } from '../../log.js';
import { redact } from '../../redact.js';
import { loadSpec } from '../../spec/load.js';
import { TARGETS, type TargetName } from '../../spec/types.js';
import { findManifest } from '../../bake/manifest.js';
import { withInterrupts } from '../../bake/interrupts.js';
import { verifyBuild, type VerifyOutcome } from '../../verify/verify.js';
import { formatFindings, formatResults } from '../../verify/format.js';

export const summary =
  'boot a baked image, run smoke tests and audit: verify NAME [--build ID] [--target local|aws]';

const USAGE = `usage: amibake verify NAME [--build ID] [--target local|aws] [--json]
           [--region R] [--ssh-cidr CIDR] [--ssh-host HOST --ssh-port PORT]
  --build ID       the build to verify (default: the newest)
  --ssh-cidr CIDR  aws: the only network allowed to reach port 22 (else AMIBAKE_SSH_CIDR)
  --ssh-host/port  aws: connect there instead of the instance's public IP (a tunnel)
`;

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs('verify', argv, {
    build: { type: 'string' },
    target: { type: 'string', default: 'local' },
    json: { type: 'boolean', default: false },
    region: { type: 'string' },
    'ssh-cidr': { type: 'string' },
    'ssh-host': { type: 'string' },
    'ssh-port': { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  });
  if (values.help) {
    process.stderr.write(USAGE);
    return 0;
  }
  const [name] = positionals;
  if (!name || positionals.length > 1) {
    throw new UsageError('verify: give exactly one image name', { hint: USAGE.split('\n')[0] });
  }
  const target = targetOf(values.target);
  const sshPort = portOf(values['ssh-port']);
  if (sshPort !== undefined && values['ssh-host'] === undefined) {
    throw new UsageError('verify: --ssh-port needs --ssh-host');
  }
  const awsOnly = ['ssh-cidr', 'ssh-host', 'region'] as const;
  const misplaced = awsOnly.filter((o) => values[o] !== undefined);
  if (target === 'local' && misplaced.length > 0) {
    throw new UsageError(`verify: --${misplaced[0]} applies to --target aws only`);
  }
  const loaded = await loadSpec(name);
  if (!loaded.spec.targets[target]) {
    const declared = Object.keys(loaded.spec.targets).join(', ');
    throw new UsageError(`verify: ${name} declares no ${target} target (declared: ${declared})`, {
      hint: `run amibake verify ${name} --target ${Object.keys(loaded.spec.targets)[0]}`,
    });
  }
  const manifestFile = await findManifest(name, target, values.build);
  const outcome = await withInterrupts((signal) =>
    verifyBuild({
      loaded,
      target,
      manifestFile,
      signal,
      region: values.region,
      sshCidr: values['ssh-cidr'],
      sshHost: values['ssh-host'],
      sshPort,
    }),
  );
  return reportOutcome(name, outcome, values.json);
}

// The table (and any findings) on stderr, the verification as JSON on stdout; the exit code.
export function reportOutcome(name: string, outcome: VerifyOutcome, json: boolean): number {
  const { verification, severity } = outcome;
  process.stderr.write(redact(formatResults(verification.results)));
  if (severity !== 'none') {
    process.stderr.write(redact(formatFindings(verification.audit, severity)));
    if (severity === 'error') {
      warn(`${name} is public: publish refuses it until the audit is clean`);
    }
  }
  if (json) printJson(verification);
  return verification.status === 'passed' ? EXIT.ok : EXIT.failed;
}

function targetOf(value: string | undefined): TargetName {
  if (!TARGETS.includes(value as TargetName)) {
    throw new UsageError(`verify: --target must be one of ${TARGETS.join(', ')}, not "${value}"`);
  }
  return value as TargetName;
}

function portOf(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new UsageError(`verify: --ssh-port ${value} is not a port`);
  }
  return port;
}
