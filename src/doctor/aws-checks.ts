// The AWS litmus tests: who the credentials are (STS), whether EC2 answers (DescribeRegions,
// DescribeImages), and DryRun probes of the calls bakes and publishes make. A credentials
// failure stops the rest: every later call would fail the same way.
import { DescribeImagesCommand, DescribeRegionsCommand } from '@aws-sdk/client-ec2';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { send, type SdkClient, type SdkCommand } from '../aws/actions.js';
import { ec2Client, stsClient } from '../aws/clients.js';
import { TAG_IMAGE } from '../aws/image-ops.js';
import { ok, warnResult, type CheckResult } from './check-result.js';
import { codeOf, diagnose, isCredentialFailure } from './diagnose.js';
import { sendPhaseFor } from './send-phase.js';
import { PLACEHOLDER_AMI, PROBES, type Probe, type ProbeImage } from './dry-run-probes.js';

function call<C extends SdkCommand>(client: SdkClient, action: string, command: C) {
  return send(client, command, { phase: sendPhaseFor(action) });
}

export interface AwsFindings {
  results: CheckResult[];
  /** False once the credentials were rejected: later AWS checks are pointless. */
  credentialsWork: boolean;
}

// Also says whether any later call can work: not with rejected keys or without a region.
async function identityCheck(region: string | undefined) {
  try {
    const command = new GetCallerIdentityCommand({});
    const out = await call(stsClient(region), 'sts:GetCallerIdentity', command);
    const result = ok('sts identity', `${out.Arn ?? '?'} (account ${out.Account ?? '?'})`);
    return { result, usable: true };
  } catch (error) {
    const context = { permission: 'sts:GetCallerIdentity', phase: 'bake' as const };
    const result = diagnose('sts identity', error, context);
    const noRegion = result.finding.startsWith('no AWS region');
    return { result, usable: !isCredentialFailure(error) && !noRegion };
  }
}

async function regionsCheck(region: string | undefined): Promise<CheckResult> {
  const client = ec2Client(region);
  try {
    const out = await call(client, 'ec2:DescribeRegions', new DescribeRegionsCommand({}));
    const using = await (client.config.region as () => Promise<string>)();
    return ok('ec2 regions', `${out.Regions?.length ?? 0} regions visible; using ${using}`);
  } catch (error) {
    return diagnose('ec2 regions', error, { permission: 'ec2:DescribeRegions', phase: 'bake' });
  }
}

// Also finds an AMI of ours for the probes that must name one.
async function imagesCheck(region: string | undefined) {
  const command = new DescribeImagesCommand({
    Owners: ['self'],
    Filters: [{ Name: 'tag-key', Values: [TAG_IMAGE] }],
  });
  try {
    const out = await call(ec2Client(region), 'ec2:DescribeImages', command);
    const images = out.Images ?? [];
    const first = images[0];
    const image: ProbeImage = first?.ImageId
      ? { id: first.ImageId, description: first.Description, real: true }
      : { id: PLACEHOLDER_AMI, real: false };
    return { result: ok('ec2 images', `${images.length} AMI(s) tagged ${TAG_IMAGE}`), image };
  } catch (error) {
    const context = { permission: 'ec2:DescribeImages', phase: 'publish' as const };
    return { result: diagnose('ec2 images', error, context), image: undefined };
  }
}

// An endpoint that carries out DryRun calls must not be probed: say so instead.
async function dryRunHonoured(region: string | undefined): Promise<string | undefined> {
  try {
    const command = new DescribeRegionsCommand({ DryRun: true });
    await call(ec2Client(region), 'ec2:DescribeRegions', command);
    return 'the endpoint ignored DryRun (DescribeRegions succeeded)';
  } catch (error) {
    const code = codeOf(error);
    return code === 'DryRunOperation' ? undefined : `DryRun check answered ${code ?? error}`;
  }
}

async function runProbe(probe: Probe, region: string | undefined, image: ProbeImage) {
  const check = `dry run ${probe.action}`;
  const client = ec2Client(region);
  const where = await (client.config.region as () => Promise<string>)();
  try {
    await call(client, probe.action, probe.command(where, image));
    return warnResult(check, 'could not probe: the endpoint carried out the call despite DryRun');
  } catch (error) {
    const code = codeOf(error);
    if (code === 'DryRunOperation') return ok(check, 'allowed (DryRunOperation)');
    const result = diagnose(check, error, { permission: probe.action, phase: probe.phase });
    if (result.missingAction && probe.usesImage && !image.real) {
      // A tag-scoped grant cannot match an AMI that does not exist: not proof of a lack.
      const finding =
        `${result.finding}, probed on placeholder ${image.id} (no AMI tagged ${TAG_IMAGE})`;
      return { ...result, status: 'warn' as const, finding };
    }
    if (result.status === 'fail' && !result.missingAction && !isCredentialFailure(error)) {
      return warnResult(check, `could not probe: ${result.finding}`);
    }
    return result;
  }
}

async function probeChecks(region: string | undefined, image: ProbeImage | undefined) {
  const ignored = await dryRunHonoured(region);
  if (ignored || !image) {
    const why = ignored ?? 'no AMI lookup was possible (see ec2 images)';
    return PROBES.map((p) => warnResult(`dry run ${p.action}`, `could not probe: ${why}`));
  }
  const results: CheckResult[] = [];
  for (const probe of PROBES) results.push(await runProbe(probe, region, image));
  return results;
}

export async function awsChecks(region: string | undefined): Promise<AwsFindings> {
  const identity = await identityCheck(region);
  if (!identity.usable) {
    const skipped = warnResult('aws checks', 'skipped: every call would fail as sts identity did');
    return { results: [identity.result, skipped], credentialsWork: false };
  }
  const results = [identity.result, await regionsCheck(region)];
  const images = await imagesCheck(region);
  results.push(images.result);
  results.push(...(await probeChecks(region, images.image)));
  return { results, credentialsWork: true };
}
