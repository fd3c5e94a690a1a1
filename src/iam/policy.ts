// Builds amibake's IAM policy from the action registry alone: one group of statements per phase
// in a fixed order, every action checked against the registry, nothing granted twice in one
// statement. Also gives the single statement that grants one missing action (for doctor).
import { parseStateUri } from '../state/uri.js';
import { UsageError } from '../errors.js';
import { phaseStatements } from './phase-statements.js';
import {
  POLICY_PHASES,
  type PolicyDocument,
  type PolicyOptions,
  type PolicyPhase,
  type PolicyStatement,
  type StateBucket,
} from './policy-types.js';
import { selfServiceStatement } from './self-service.js';

// Managed policies may hold 6,144 characters, white space not counted.
export const MANAGED_POLICY_LIMIT = 6144;

export function buildPolicy(options: PolicyOptions): PolicyDocument {
  const phases = POLICY_PHASES.filter((phase) => options.phases.includes(phase));
  const Statement = phases.flatMap((phase) => phaseStatements(phase, options));
  if (options.userSelfService) Statement.push(selfServiceStatement());
  return { Version: '2012-10-17', Statement };
}

/** The policy's size as IAM counts it against MANAGED_POLICY_LIMIT. */
export function policySize(policy: PolicyDocument): number {
  return JSON.stringify(policy).replace(/\s+/g, '').length;
}

/** "bake,publish" -> ['bake', 'publish'] in the canonical order; unknown names are refused. */
export function parsePhases(list: string | undefined): PolicyPhase[] {
  if (list === undefined || list.trim() === '') return [...POLICY_PHASES];
  const names = list.split(',').map((name) => name.trim()).filter(Boolean);
  for (const name of names) {
    if (!(POLICY_PHASES as readonly string[]).includes(name)) {
      throw new UsageError(`iam-policy: unknown phase "${name}"`, {
        hint: `phases are ${POLICY_PHASES.join(', ')}`,
      });
    }
  }
  return POLICY_PHASES.filter((phase) => names.includes(phase));
}

/** s3://bucket/prefix -> the bucket and prefix the state statements name. */
export function stateBucketOf(uri: string): StateBucket {
  const target = parseStateUri(uri);
  if (target.kind !== 's3') {
    throw new UsageError(`"${uri}" is not an s3:// state location`, {
      hint: 'a local state directory needs no IAM permission; give s3://bucket/prefix',
    });
  }
  return { bucket: target.bucket, prefix: target.prefix };
}

/**
 * The statement to add so the identity may call `permission` in `phase`: the generator's own
 * statement for it (account scope), cut down to that one action. Undefined when the phase
 * does not need the action.
 */
export function statementToAdd(
  permission: string,
  phase: PolicyPhase,
  state?: StateBucket,
): PolicyStatement | undefined {
  const policy = buildPolicy({ phases: [phase], scope: 'account', state });
  const found = policy.Statement.find((s) => s.Action.includes(permission));
  return found ? { ...found, Action: [permission] } : undefined;
}
