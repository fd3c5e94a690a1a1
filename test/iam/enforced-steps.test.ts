// The generated policy against moto with IAM enforcement: it is enough for a bake (real
// Packer), a publish and a prune, and each action it grants is needed by the step that calls it.
import test, { type ExecutionContext } from 'ava';
import { DescribeImagesCommand } from '@aws-sdk/client-ec2';
import { ec2Client } from '../../src/aws/clients.js';
import { publishBuild } from '../../src/aws/publish.js';
import { prune } from '../../src/aws/prune.js';
import { bakeAws } from '../../src/bake/bake-aws.js';
import { readManifest, writeManifest } from '../../src/bake/manifest.js';
import { runDoctor } from '../../src/doctor/doctor.js';
import { AwsError } from '../../src/errors.js';
import { loadSpec } from '../../src/spec/load.js';
import type { Publish } from '../../src/spec/types.js';
import { makeAwsBuild, SOURCE_REGION, TARGETS, writeSpec } from '../aws/aws-build-fixture.js';
import {
  BAD_KEY,
  fullPolicy,
  nextSecond,
  startEnforced,
  type Enforced,
} from './enforced-fixture.js';
import { withoutAction } from './moto-iam.js';

let env: Enforced;
const settings: Publish = { public: true, regions: TARGETS, accounts: [], tags: {} };

test.before(async () => {
  env = await startEnforced();
});

test.beforeEach(async () => {
  await env.reset();
});

test.after.always(async () => {
  await env?.reset().catch(() => undefined);
  await env?.moto.stop();
  await env?.dirs.cleanup();
});

function publish(image: string, manifestFile: string) {
  return publishBuild({ image, manifestFile, publish: settings, assumeUnblocked: true });
}

async function markVerified(manifestFile: string): Promise<void> {
  const manifest = await readManifest(manifestFile);
  const at = new Date().toISOString();
  await writeManifest(manifestFile, {
    ...manifest,
    verification: { status: 'passed', at, results: [], audit: [] },
  });
}

async function imageExists(imageId: string): Promise<boolean> {
  const out = await ec2Client(SOURCE_REGION).send(new DescribeImagesCommand({ Owners: ['self'] }));
  return (out.Images ?? []).some((i) => i.ImageId === imageId);
}

test.serial('a user holding the generated policy bakes, publishes and prunes', async (t) => {
  await writeSpec(env.dirs, 'chain');
  const older = await makeAwsBuild(ec2Client(SOURCE_REGION), 'chain');
  await nextSecond();
  await env.enforceAs(fullPolicy());
  // The real Packer amazon-ebs build, as the user (communicator none: no provisioners in moto).
  const baked = await bakeAws(await loadSpec('chain'), { noProvision: true });
  const bakedAmi = baked.manifest.amis?.[SOURCE_REGION] ?? '';
  t.regex(bakedAmi, /^ami-/);
  // moto's instances cannot be booted, so verification is recorded as passed here.
  await markVerified(baked.manifestFile);
  const outcome = await publish('chain', baked.manifestFile);
  t.deepEqual(outcome.regions.map((r) => r.origin), ['source', 'copied', 'copied']);
  const pruned = await prune({ image: 'chain', regions: TARGETS, keep: 1, apply: true });
  const removed = pruned.entries.filter((e) => e.action === 'removed').map((e) => e.imageId);
  t.deepEqual(removed, [older.imageId]);
  await env.asAdmin();
  t.false(await imageExists(older.imageId), 'the older AMI is gone');
  t.true(await imageExists(bakedAmi), 'the baked AMI stays');
});

interface Removal {
  action: string;
  step: 'bake preflight' | 'publish' | 'prune';
  /** Whether doctor probes the action and must name it too. */
  doctor: boolean;
}

// The failing step's own AwsError, with the user lacking `action`.
async function failingStep(t: ExecutionContext, removal: Removal): Promise<unknown> {
  if (removal.step === 'bake preflight') {
    await writeSpec(env.dirs, 'lack');
    await env.enforceAs(withoutAction(fullPolicy(), removal.action));
    return bakeAws(await loadSpec('lack'), { noProvision: true }).catch((e: unknown) => e);
  }
  const build = await makeAwsBuild(ec2Client(SOURCE_REGION), 'lack');
  await env.enforceAs(withoutAction(fullPolicy(), removal.action));
  if (removal.step === 'publish') return publish('lack', build.manifestFile).catch((e) => e);
  return prune({ image: 'lack', regions: [SOURCE_REGION], keep: 1, apply: true })
    .then(() => t.fail('prune kept everything'))
    .catch((e: unknown) => e);
}

const lacking = test.macro({
  async exec(t, removal: Removal) {
    if (removal.step === 'prune') {
      // Two AMIs so that prune, keeping one, must deregister the other.
      await makeAwsBuild(ec2Client(SOURCE_REGION), 'lack');
      await nextSecond();
    }
    const error = await failingStep(t, removal);
    t.true(error instanceof AwsError, String(error));
    const naming = new RegExp(`may not call ${removal.action} \\(AccessDenied\\)`);
    t.regex((error as Error).message, naming);
    if (!removal.doctor) return;
    const results = await runDoctor({ target: 'aws' });
    const named = results.filter((r) => r.missingAction).map((r) => [r.status, r.missingAction]);
    t.deepEqual(named, [['fail', removal.action]]);
    const line = results.find((r) => r.missingAction === removal.action);
    t.deepEqual(line?.statement?.Action, [removal.action]);
    t.true(line?.remedy?.includes(`"Action":["${removal.action}"]`));
  },
  title: (_title, removal: Removal) =>
    `without ${removal.action} the ${removal.step} fails naming it` +
    (removal.doctor ? ', and so does doctor' : ''),
});

const REMOVALS: Removal[] = [
  { action: 'ec2:CopyImage', step: 'publish', doctor: true },
  { action: 'ec2:ModifyImageAttribute', step: 'publish', doctor: true },
  { action: 'ec2:DescribeImages', step: 'publish', doctor: true },
  { action: 'ec2:CreateTags', step: 'publish', doctor: false },
  { action: 'ec2:DeregisterImage', step: 'prune', doctor: false },
  { action: 'ec2:DescribeInstanceTypes', step: 'bake preflight', doctor: false },
];
for (const removal of REMOVALS) test.serial(lacking, removal);

test.serial('a made-up access key fails publish as a credentials problem', async (t) => {
  const build = await makeAwsBuild(ec2Client(SOURCE_REGION), 'badkey');
  await env.enforceWith(BAD_KEY);
  const error = await publish('badkey', build.manifestFile).catch((e: unknown) => e);
  t.true(error instanceof AwsError);
  t.is((error as AwsError).code, 'AuthFailure');
  t.regex((error as Error).message, /AWS rejected the credentials/);
  t.notRegex((error as Error).message, /may not call/);
});
