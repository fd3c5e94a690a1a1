import test from 'ava';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import {
  CreateVpcCommand,
  DescribeImagesCommand,
  DescribeInstancesCommand,
  GetImageBlockPublicAccessStateCommand,
} from '@aws-sdk/client-ec2';
import {
  CreateAccessKeyCommand,
  CreateUserCommand,
  PutUserPolicyCommand,
} from '@aws-sdk/client-iam';
import { AwsError } from '../../src/errors.js';
import { ACTIONS, actionOf, declaredAction, permissionsFor, send } from '../../src/aws/actions.js';
import { ec2Client, iamClient, resetClients } from '../../src/aws/clients.js';
import { repoRoot } from '../../src/paths.js';
import { motoEnv, startMoto, type MotoServer } from '../helpers/moto.js';

let moto: MotoServer;
const REGION = 'us-east-1';

test.before(async () => {
  moto = await startMoto();
  Object.assign(process.env, motoEnv(moto.endpoint));
});

test.after.always(async () => {
  await moto?.stop();
});

async function sourceFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const nested = await Promise.all(
    entries.map((e) => {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) return sourceFiles(full);
      return Promise.resolve(e.name.endsWith('.ts') ? [full] : []);
    }),
  );
  return nested.flat();
}

// Which client package each imported name comes from, per file; then every `new X(` whose X
// is an imported SDK command (aliases and namespace imports included) or ends in "Command".
function commandsIn(source: string): string[] {
  const origin = new Map<string, { service: string; imported: string }>();
  const named = /import\s*(?:type\s*)?\{([^}]*)\}\s*from\s*'@aws-sdk\/client-(\w+)'/g;
  for (const m of source.matchAll(named)) {
    for (const name of m[1].split(',')) {
      const [imported, local] = name.trim().split(/\s+as\s+/);
      if (!imported) continue;
      origin.set((local ?? imported).trim(), { service: m[2], imported: imported.trim() });
    }
  }
  const namespaces = new Map<string, string>();
  for (const m of source.matchAll(/import\s*\*\s*as\s+(\w+)\s+from\s*'@aws-sdk\/client-(\w+)'/g)) {
    namespaces.set(m[1], m[2]);
  }
  const found: string[] = [];
  for (const m of source.matchAll(/new\s+(?:(\w+)\.)?(\w+)\s*\(/g)) {
    const [, namespace, local] = m;
    const service = namespace ? namespaces.get(namespace) : origin.get(local)?.service;
    const imported = namespace ? local : (origin.get(local)?.imported ?? local);
    if (!imported.endsWith('Command') || (namespace && !service)) continue;
    found.push(`${service ?? 'unknown-service'}:${imported.replace(/Command$/, '')}`);
  }
  return found;
}

test('every AWS call in src/ is declared in the action registry', async (t) => {
  const files = await sourceFiles(path.join(repoRoot, 'src'));
  const used = new Map<string, string>();
  for (const file of files) {
    for (const action of commandsIn(await readFile(file, 'utf8'))) {
      used.set(action, path.relative(repoRoot, file));
    }
  }
  t.true(used.has('ec2:DescribeImages'), 'the scan finds the calls the AWS area makes');
  const undeclared = [...used].filter(([action]) => !declaredAction(action));
  t.deepEqual(undeclared, [], 'calls made in src/ but missing from src/aws/action-registry.ts');
});

test('the command scan reads aliases and finds the client package of each command', (t) => {
  const source = [
    "import { DescribeImagesCommand as D } from '@aws-sdk/client-ec2';",
    "import { GetParameterCommand } from '@aws-sdk/client-ssm';",
    "import * as iam from '@aws-sdk/client-iam';",
    'new D({}); new GetParameterCommand({}); new iam.ListUsersCommand({});',
    'new Map(); new OrphanCommand({});',
  ].join('\n');
  t.deepEqual(commandsIn(source), [
    'ec2:DescribeImages',
    'ssm:GetParameter',
    'iam:ListUsers',
    'unknown-service:Orphan',
  ]);
});

test('an action is derived from the client and the command class', (t) => {
  t.is(actionOf(ec2Client(REGION), new DescribeImagesCommand({})), 'ec2:DescribeImages');
});

test('sending an undeclared action throws before any request', async (t) => {
  const error = await t.throwsAsync(
    send(ec2Client(REGION), new CreateVpcCommand({ CidrBlock: '10.0.0.0/16' }), { phase: 'bake' }),
  );
  t.regex(error.message, /ec2:CreateVpc is not declared/);
  t.false(error instanceof AwsError, 'a programming error, not an AWS failure');
});

test('sending an action outside its declared phases throws', async (t) => {
  const error = await t.throwsAsync(
    send(ec2Client(REGION), new DescribeInstancesCommand({}), { phase: 'publish' }),
  );
  t.regex(error.message, /not declared for phase publish/);
});

test('Packer actions are marked as Packer\'s and counted in the bake policy', (t) => {
  const createImage = ACTIONS.find((a) => a.action === 'ec2:CreateImage' && a.by === 'packer');
  t.true(createImage?.phases.includes('bake'));
  t.deepEqual(declaredAction('ec2:CreateImage')?.phases, ['doctor'], 'amibake calls it only as a DryRun probe');
  t.true(permissionsFor('bake').includes('ec2:CreateImage'));
  t.false(permissionsFor('bake').includes('sts:GetCallerIdentity'), 'needs no permission');
  t.true(permissionsFor('state').includes('s3:ListBucket'), 'IAM name of ListObjectsV2');
});

test('a call moto does not implement becomes NotSupportedByEndpoint', async (t) => {
  const error = await t.throwsAsync(
    send(ec2Client(REGION), new GetImageBlockPublicAccessStateCommand({}), { phase: 'publish' }),
    { instanceOf: AwsError },
  );
  t.is(error.code, 'NotSupportedByEndpoint');
  t.regex(error.message, /^ec2:GetImageBlockPublicAccessState \(us-east-1\): /);
});

async function enforceAuth(on: boolean): Promise<void> {
  await fetch(`${moto.endpoint}/moto-api/reset-auth`, {
    method: 'POST',
    body: on ? '0' : 'inf',
    headers: { 'content-type': 'text/plain' },
  });
}

const describeOwn = () => new DescribeImagesCommand({ Owners: ['self'] });

test.serial('a denied call names its action; unknown keys get a credentials message', async (t) => {
  const iam = iamClient(REGION);
  await iam.send(new CreateUserCommand({ UserName: 'limited' }));
  await iam.send(new PutUserPolicyCommand({
    UserName: 'limited',
    PolicyName: 'images-only',
    PolicyDocument: JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: ['ec2:DescribeImages'], Resource: '*' }],
    }),
  }));
  const key = (await iam.send(new CreateAccessKeyCommand({ UserName: 'limited' }))).AccessKey;
  const saved = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };
  await enforceAuth(true);
  try {
    process.env.AWS_ACCESS_KEY_ID = key?.AccessKeyId;
    process.env.AWS_SECRET_ACCESS_KEY = key?.SecretAccessKey;
    resetClients();
    const ec2 = ec2Client(REGION);
    await t.notThrowsAsync(send(ec2, describeOwn(), { phase: 'bake' }));
    const denied = await t.throwsAsync(
      send(ec2, new DescribeInstancesCommand({}), { phase: 'prune' }),
      { instanceOf: AwsError },
    );
    t.regex(denied.message, /may not call ec2:DescribeInstances/);
    t.regex(denied.hint ?? '', /allow ec2:DescribeInstances/);

    process.env.AWS_ACCESS_KEY_ID = 'AKIAUNKNOWNUNKNOWN00';
    resetClients();
    const rejected = await t.throwsAsync(
      send(ec2Client(REGION), describeOwn(), { phase: 'bake' }),
      { instanceOf: AwsError },
    );
    t.regex(rejected.message, /rejected the credentials/);
  } finally {
    await enforceAuth(false);
    process.env.AWS_ACCESS_KEY_ID = saved.id;
    process.env.AWS_SECRET_ACCESS_KEY = saved.secret;
    resetClients();
  }
});
