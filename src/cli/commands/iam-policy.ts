// `amibake iam-policy [--phases LIST] [--scope tags|account] [--user-self-service]
// [--state s3://bucket/prefix]`: prints the IAM policy amibake needs, built from the action
// registry; notes on what it cannot narrow go to stderr.
import { EXIT, UsageError } from '../../errors.js';
import { info, printJson, warn } from '../../log.js';
import {
  buildPolicy,
  MANAGED_POLICY_LIMIT,
  parsePhases,
  policySize,
  stateBucketOf,
} from '../../iam/policy.js';
import { POLICY_PHASES, type PolicyScope } from '../../iam/policy-types.js';
import { parseCommandArgs } from '../args.js';

export const summary = 'print the least-privilege IAM policy for chosen phases (JSON)';

const USAGE =
  'usage: amibake iam-policy [--phases bake,verify,publish,prune,state] [--scope tags|account]' +
  ' [--user-self-service] [--state s3://bucket/prefix]';

function scopeOption(value: string | undefined): PolicyScope {
  if (value === undefined || value === 'tags' || value === 'account') return value ?? 'tags';
  throw new UsageError(`iam-policy: --scope takes tags or account (got "${value}")`);
}

// A default AMIBAKE_STATE in S3 is used when --state is not given.
function stateOption(value: string | undefined) {
  const fallback = process.env.AMIBAKE_STATE ?? '';
  const uri = value ?? (fallback.startsWith('s3://') ? fallback : '');
  return uri ? stateBucketOf(uri) : undefined;
}

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs('iam-policy', argv, {
    phases: { type: 'string' },
    scope: { type: 'string' },
    'user-self-service': { type: 'boolean', default: false },
    state: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    info(`${USAGE}\n  ${summary}\n  phases: ${POLICY_PHASES.join(', ')} (default: all)`);
    return EXIT.ok;
  }
  if (positionals.length > 0) throw new UsageError(`iam-policy takes no arguments; ${USAGE}`);
  const phases = parsePhases(values.phases);
  const scope = scopeOption(values.scope);
  const state = stateOption(values.state);
  const userSelfService = values['user-self-service'];
  const policy = buildPolicy({ phases, scope, state, userSelfService });
  if (phases.includes('state') && !state) {
    warn('no --state s3://bucket/prefix given: the S3 actions apply to every bucket');
  }
  if (scope === 'tags' && phases.includes('bake')) {
    warn("Packer's bake actions stay on any resource: Packer 1.6.6 does not tag what it creates");
  }
  const size = policySize(policy);
  if (size > MANAGED_POLICY_LIMIT) {
    warn(
      `the policy has ${size} characters, over IAM's ${MANAGED_POLICY_LIMIT} for a managed` +
        ' policy: split it with --phases into several policies',
    );
  }
  printJson(policy);
  return EXIT.ok;
}
