// One phase's statements: the registry rows of the phase, sorted into statements by how far
// the chosen scope narrows them. Sids name the phase and the narrowing.
import type { ActionInfo } from '../aws/action-registry.js';
import { actionList, permissionOf, rowsOf } from './action-names.js';
import type { PolicyOptions, PolicyPhase, PolicyStatement } from './policy-types.js';
import { stateStatements } from './state-statements.js';
import {
  arnOf,
  REQUEST_TAG,
  RESOURCE_TAG,
  RETAGGED,
  tagRuleOf,
  type Ec2ResourceType,
} from './tag-rules.js';

// Statement kinds in the order they are printed within a phase.
const KINDS = [
  'AnyResource',
  'TaggedResources',
  'CreateTagged',
  'TagOnCreate',
  'TagOwnResources',
  'PassRoleToEc2',
] as const;
type Kind = (typeof KINDS)[number];

interface Sorted {
  actions: Map<Kind, Set<string>>;
  created: Set<Ec2ResourceType>;
  /** Per create action: the untagged resources it also touches. */
  uses: Map<string, Ec2ResourceType[]>;
  s3: ActionInfo[];
}

function add(sorted: Sorted, kind: Kind, action: string): void {
  const set = sorted.actions.get(kind) ?? new Set<string>();
  set.add(action);
  sorted.actions.set(kind, set);
}

// Where one row goes under --scope tags.
function sortTagged(sorted: Sorted, row: ActionInfo, phase: PolicyPhase, permission: string) {
  if (row.action === 'iam:PassRole') return add(sorted, 'PassRoleToEc2', permission);
  const rule = row.by === 'amibake' && row.scoping === 'tag' ? tagRuleOf(row.action) : undefined;
  if (!rule || rule.kind === 'unscoped') return add(sorted, 'AnyResource', permission);
  if (rule.kind === 'existing') return add(sorted, 'TaggedResources', permission);
  if (rule.kind === 'tagging') {
    if (RETAGGED[phase]) add(sorted, 'TagOwnResources', permission);
    return add(sorted, 'TagOnCreate', permission);
  }
  add(sorted, 'CreateTagged', permission);
  rule.created.forEach((type) => sorted.created.add(type));
  if (rule.uses.length > 0) sorted.uses.set(permission, rule.uses);
}

function sortRows(phase: PolicyPhase, options: PolicyOptions): Sorted {
  const sorted: Sorted = { actions: new Map(), created: new Set(), uses: new Map(), s3: [] };
  for (const row of rowsOf(phase)) {
    const permission = permissionOf(row) as string;
    if (row.service === 's3') sorted.s3.push(row);
    else if (options.scope === 'account') add(sorted, 'AnyResource', permission);
    else sortTagged(sorted, row, phase, permission);
  }
  return sorted;
}

function title(phase: string): string {
  return phase.charAt(0).toUpperCase() + phase.slice(1);
}

function arns(types: Iterable<Ec2ResourceType>): string[] {
  return [...new Set([...types].map(arnOf))].sort();
}

// One statement per create action: a union of what they use would let CreateSecurityGroup
// make untagged groups through RunInstances' need to use existing ones.
function usesStatements(phase: PolicyPhase, sorted: Sorted): PolicyStatement[] {
  return [...sorted.uses.keys()].sort().map((action) => ({
    Sid: `${title(phase)}${action.split(':')[1]}Uses`,
    Effect: 'Allow',
    Action: actionList([action]),
    Resource: arns(sorted.uses.get(action) ?? []),
  }));
}

function statementOf(kind: Kind, actions: string[], phase: PolicyPhase, sorted: Sorted) {
  const Sid = `${title(phase)}${kind}`;
  const base = { Sid, Effect: 'Allow' as const, Action: actions };
  const present = (key: string) => ({ Null: { [key]: 'false' } });
  switch (kind) {
    case 'AnyResource':
      return { ...base, Resource: '*' };
    case 'TaggedResources':
      return { ...base, Resource: '*', Condition: present(RESOURCE_TAG) };
    case 'CreateTagged':
      return { ...base, Resource: arns(sorted.created), Condition: present(REQUEST_TAG) };
    case 'TagOnCreate': {
      // Tagging on create is authorised as ec2:CreateTags with ec2:CreateAction set.
      const creates = [...(sorted.actions.get('CreateTagged') ?? [])].map((a) => a.split(':')[1]);
      if (creates.length > 0) {
        const Condition = { StringEquals: { 'ec2:CreateAction': creates.sort() } };
        return { ...base, Resource: '*', Condition };
      }
      // Nothing made here tags on create: tagging after the fact is granted once, below, or
      // (a phase with neither) on any resource as long as the request sets our tag.
      if (sorted.actions.has('TagOwnResources')) return undefined;
      return { ...base, Resource: '*', Condition: present(REQUEST_TAG) };
    }
    case 'TagOwnResources':
      return { ...base, Resource: arns(RETAGGED[phase] ?? []), Condition: present(REQUEST_TAG) };
    case 'PassRoleToEc2': {
      const Condition = { StringEquals: { 'iam:PassedToService': 'ec2.amazonaws.com' } };
      return { ...base, Resource: '*', Condition };
    }
  }
}

/** The statements one phase needs under the given options, in a fixed order. */
export function phaseStatements(phase: PolicyPhase, options: PolicyOptions): PolicyStatement[] {
  const sorted = sortRows(phase, options);
  const statements: PolicyStatement[] = [];
  for (const kind of KINDS) {
    const names = sorted.actions.get(kind);
    if (!names || names.size === 0) continue;
    const statement = statementOf(kind, actionList(names), phase, sorted);
    if (statement) statements.push(statement);
    if (kind === 'CreateTagged') statements.push(...usesStatements(phase, sorted));
  }
  statements.push(...stateStatements(title(phase), sorted.s3, options.state));
  return statements;
}
