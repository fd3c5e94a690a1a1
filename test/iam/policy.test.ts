import test from 'ava';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { ACTIONS } from '../../src/aws/action-registry.js';
import { assertKnownAction, permissionOf } from '../../src/iam/action-names.js';
import { buildPolicy, statementToAdd } from '../../src/iam/policy.js';
import {
  POLICY_PHASES,
  type PolicyDocument,
  type PolicyPhase,
  type PolicyStatement,
} from '../../src/iam/policy-types.js';
import { SELF_SERVICE_ACTIONS } from '../../src/iam/self-service.js';
import { TAG_RULES } from '../../src/iam/tag-rules.js';
import { repoRoot } from '../../src/paths.js';

const run = promisify(execFile);
const STATE = { bucket: 'amibake-state', prefix: 'teams/images' };

interface CliOutput {
  code: number;
  stdout: string;
  stderr: string;
}

async function cli(args: string[]): Promise<CliOutput> {
  const bin = path.join(repoRoot, 'bin/amibake.js');
  return run(process.execPath, [bin, 'iam-policy', ...args], { cwd: repoRoot }).then(
    (out) => ({ code: 0, ...out }),
    (error: CliOutput) => error,
  );
}

function needed(phases: readonly PolicyPhase[]): string[] {
  const rows = ACTIONS.filter((row) => row.phases.some((p) => phases.includes(p as PolicyPhase)));
  return [...new Set(rows.map(permissionOf).filter((p): p is string => !!p))].sort();
}

function granted(policy: PolicyDocument): string[] {
  return [...new Set(policy.Statement.flatMap((s) => s.Action))].sort();
}

function resources(statement: PolicyStatement): string[] {
  return typeof statement.Resource === 'string' ? [statement.Resource] : statement.Resource;
}

function bySid(policy: PolicyDocument, sid: string): PolicyStatement {
  const found = policy.Statement.find((s) => s.Sid === sid);
  if (!found) throw new Error(`no statement ${sid} in ${policy.Statement.map((s) => s.Sid)}`);
  return found;
}

const VARIANTS = (['tags', 'account'] as const).flatMap((scope) =>
  [undefined, STATE].flatMap((state) =>
    [false, true].map((userSelfService) => ({ scope, state, userSelfService }))),
);

test('the command prints a JSON policy, version 2012-10-17, with unique plain Sids', async (t) => {
  const out = await cli(['--scope', 'tags', '--state', 's3://amibake-state/teams/images']);
  const policy = JSON.parse(out.stdout) as PolicyDocument;
  t.is(policy.Version, '2012-10-17');
  const sids = policy.Statement.map((s) => s.Sid);
  t.is(new Set(sids).size, sids.length);
  for (const sid of sids) t.regex(sid, /^[A-Za-z0-9]+$/);
  t.true(policy.Statement.every((s) => s.Effect === 'Allow'));
});

test('no statement lists an action twice and every action is declared in the registry', (t) => {
  for (const variant of VARIANTS) {
    const policy = buildPolicy({ phases: POLICY_PHASES, ...variant });
    for (const statement of policy.Statement) {
      t.is(new Set(statement.Action).size, statement.Action.length, statement.Sid);
      t.deepEqual(statement.Action, [...statement.Action].sort(), `${statement.Sid} is sorted`);
      for (const action of statement.Action) t.notThrows(() => assertKnownAction(action));
    }
  }
});

test('every registry action of the chosen phases is granted, and nothing else', (t) => {
  const choices: PolicyPhase[][] = [[...POLICY_PHASES], ...POLICY_PHASES.map((p) => [p])];
  for (const phases of choices) {
    for (const scope of ['tags', 'account'] as const) {
      const policy = buildPolicy({ phases, scope, state: STATE });
      t.deepEqual(granted(policy), needed(phases), `${phases.join(',')} ${scope}`);
    }
  }
});

test('statements come grouped per phase in the order bake, verify, publish, prune, state', (t) => {
  const policy = buildPolicy({ phases: ['state', 'bake', 'publish'], scope: 'tags' });
  const phases = policy.Statement.map((s) => /^[A-Z][a-z]+/.exec(s.Sid)?.[0]);
  t.deepEqual([...new Set(phases)], ['Bake', 'Publish', 'State']);
});

test('account scope grants everything on "*" without conditions', (t) => {
  const policy = buildPolicy({ phases: POLICY_PHASES, scope: 'account' });
  for (const statement of policy.Statement) {
    t.is(statement.Resource, '*', statement.Sid);
    t.is(statement.Condition, undefined, statement.Sid);
  }
  t.deepEqual(policy.Statement.map((s) => s.Sid), POLICY_PHASES.map((p) =>
    `${p[0].toUpperCase()}${p.slice(1)}AnyResource`).flatMap((sid) =>
    sid === 'StateAnyResource' ? [sid, 'StateBucketList', 'StateObjects'] : [sid]));
});

test('tags scope: deleting and sharing AMIs needs the amibake:image resource tag', (t) => {
  const policy = buildPolicy({ phases: ['publish', 'prune'], scope: 'tags' });
  for (const sid of ['PublishTaggedResources', 'PruneTaggedResources']) {
    const statement = bySid(policy, sid);
    t.true(statement.Action.includes('ec2:DeregisterImage'));
    t.deepEqual(statement.Condition, { Null: { 'aws:ResourceTag/amibake:image': 'false' } });
  }
  t.true(bySid(policy, 'PublishTaggedResources').Action.includes('ec2:ModifyImageAttribute'));
  t.false(bySid(policy, 'PublishAnyResource').Action.includes('ec2:DeregisterImage'));
});

test('tags scope: verify tags what it creates, and CreateTags is allowed only on create', (t) => {
  const policy = buildPolicy({ phases: ['verify'], scope: 'tags' });
  const creates = bySid(policy, 'VerifyCreateTagged');
  t.deepEqual(creates.Action, ['ec2:CreateSecurityGroup', 'ec2:ImportKeyPair', 'ec2:RunInstances']);
  t.deepEqual(creates.Condition, { Null: { 'aws:RequestTag/amibake:image': 'false' } });
  const tagging = policy.Statement.filter((s) => s.Action.includes('ec2:CreateTags'));
  t.deepEqual(tagging.map((s) => s.Sid), ['VerifyTagOnCreate']);
  t.deepEqual(tagging[0].Condition, {
    StringEquals: { 'ec2:CreateAction': ['CreateSecurityGroup', 'ImportKeyPair', 'RunInstances'] },
  });
});

test('tags scope: no statement lets CreateSecurityGroup make an untagged group', (t) => {
  const policy = buildPolicy({ phases: POLICY_PHASES.filter((p) => p !== 'bake'), scope: 'tags' });
  for (const s of policy.Statement.filter((x) => x.Action.includes('ec2:CreateSecurityGroup'))) {
    const tagged = JSON.stringify(s.Condition ?? {}).includes('aws:RequestTag/amibake:image');
    const onGroups = resources(s).some((r) => r === '*' || r.includes(':security-group/'));
    t.false(onGroups && !tagged, s.Sid);
  }
});

test('tags scope: publish may tag only images and snapshots, and only with amibake:image', (t) => {
  const policy = buildPolicy({ phases: ['publish'], scope: 'tags' });
  const statement = bySid(policy, 'PublishTagOwnResources');
  t.deepEqual(statement.Action, ['ec2:CreateTags']);
  t.deepEqual(statement.Resource, ['arn:aws:ec2:*::image/*', 'arn:aws:ec2:*::snapshot/*']);
  t.deepEqual(statement.Condition, { Null: { 'aws:RequestTag/amibake:image': 'false' } });
});

test("tags scope leaves Packer's calls on any resource but passes roles only to EC2", (t) => {
  const policy = buildPolicy({ phases: ['bake'], scope: 'tags' });
  const packer = ACTIONS.filter((a) => a.by === 'packer' && a.action !== 'iam:PassRole');
  const any = bySid(policy, 'BakeAnyResource');
  t.is(any.Resource, '*');
  for (const row of packer) t.true(any.Action.includes(row.action), row.action);
  t.deepEqual(bySid(policy, 'BakePassRoleToEc2').Condition, {
    StringEquals: { 'iam:PassedToService': 'ec2.amazonaws.com' },
  });
});

test("every tag-scopable call amibake makes in a policy phase has a tag rule", (t) => {
  const ours = ACTIONS.filter((a) => a.by === 'amibake' && a.scoping === 'tag' &&
    a.phases.some((p) => (POLICY_PHASES as readonly string[]).includes(p)));
  for (const row of ours) t.truthy(TAG_RULES[row.action], `${row.action} needs a rule`);
});

test('--state turns the S3 grants into the bucket and the objects under its prefix', (t) => {
  const policy = buildPolicy({ phases: ['state'], scope: 'tags', state: STATE });
  t.like(bySid(policy, 'StateBucketList'), {
    Action: ['s3:ListBucket'],
    Resource: 'arn:aws:s3:::amibake-state',
    Condition: { StringLike: { 's3:prefix': 'teams/images/*' } },
  });
  t.like(bySid(policy, 'StateObjects'), {
    Action: ['s3:DeleteObject', 's3:GetObject', 's3:PutObject'],
    Resource: 'arn:aws:s3:::amibake-state/teams/images/*',
  });
  const bucketOnly = { bucket: 'b-1', prefix: '' };
  const whole = buildPolicy({ phases: ['state'], scope: 'tags', state: bucketOnly });
  t.is(bySid(whole, 'StateBucketList').Condition, undefined);
  t.is(bySid(whole, 'StateObjects').Resource, 'arn:aws:s3:::b-1/*');
});

test('without --state the command warns that S3 actions apply to every bucket', async (t) => {
  const out = await cli(['--phases', 'state']);
  t.regex(out.stderr, /no --state .* every bucket/);
  t.is(bySid(JSON.parse(out.stdout), 'StateObjects').Resource, '*');
});

test("--user-self-service lets a user manage only their own access keys", async (t) => {
  const out = await cli(['--phases', 'prune', '--user-self-service']);
  const policy = JSON.parse(out.stdout) as PolicyDocument;
  const statement = bySid(policy, 'UserSelfServiceAccessKeys');
  t.deepEqual(statement.Action, [...SELF_SERVICE_ACTIONS].sort());
  t.is(statement.Resource, 'arn:aws:iam::*:user/${aws:username}');
  t.true(out.stdout.includes('"Resource": "arn:aws:iam::*:user/${aws:username}"'));
  const plain = buildPolicy({ phases: POLICY_PHASES, scope: 'tags' });
  t.false(granted(plain).some((a) => a.endsWith('AccessKey') || a.endsWith('AccessKeys')));
});

test('an unknown phase or scope is a usage error naming the choices', async (t) => {
  const phase = await cli(['--phases', 'bake,deploy']);
  t.is(phase.code, 64);
  t.regex(phase.stderr, /unknown phase "deploy"[\s\S]*bake, verify, publish, prune, state/);
  const scope = await cli(['--scope', 'org']);
  t.is(scope.code, 64);
  t.regex(scope.stderr, /--scope takes tags or account/);
});

test('an action name is refused when malformed or not in the registry', (t) => {
  t.throws(() => assertKnownAction('ec2:*'), { message: /service:Operation/ });
  t.throws(() => assertKnownAction('ec2:DeleteVpc'), { message: /not declared/ });
  t.notThrows(() => assertKnownAction('s3:ListBucket'));
});

test('the statement to add for one action is its phase statement cut down to it', (t) => {
  t.deepEqual(statementToAdd('ec2:CopyImage', 'publish'), {
    Sid: 'PublishAnyResource', Effect: 'Allow', Action: ['ec2:CopyImage'], Resource: '*',
  });
  t.like(statementToAdd('s3:ListBucket', 'state', STATE), {
    Action: ['s3:ListBucket'], Resource: 'arn:aws:s3:::amibake-state',
  });
  t.is(statementToAdd('ec2:CopyImage', 'prune'), undefined);
});
