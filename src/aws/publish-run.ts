// One publish run's shared state, and the work done in each target region in two steps: find
// or make the copy, wait for it and tag it with its snapshots; then, once every region holds
// an available copy, share both and read the sharing back. Sharing comes last so that an
// interrupt during the long copy wait leaves nothing shared.
import { CopyImageCommand, type Image } from '@aws-sdk/client-ec2';
import { AwsError, InterruptedError } from '../errors.js';
import { info } from '../log.js';
import type { BuildManifest } from '../manifest-types.js';
import { send } from './actions.js';
import { ec2Client } from './clients.js';
import { waitAvailable } from './copy-wait.js';
import {
  describeImage,
  findOwnImageByName,
  snapshotsOf,
  tagResources,
  tagValue,
  TAG_BUILD,
} from './image-ops.js';
import {
  confirmSharing,
  isShared,
  readSharing,
  shareImage,
  shareSnapshot,
  type Sharing,
  type SharingState,
} from './permissions.js';
import type { SourceAmi } from './publish-checks.js';

export interface RegionOutcome {
  region: string;
  imageId: string;
  /** source: the bake's own AMI; reused: a copy from an earlier run; copied: made now. */
  origin: 'source' | 'reused' | 'copied';
  snapshots: string[];
}

export interface Run {
  manifest: BuildManifest;
  source: SourceAmi;
  sourceImage: Image;
  sharing: Sharing;
  tags: Record<string, string>;
  /** Epoch milliseconds by which every copy must be available. */
  deadline: number;
  /** Aborted by a signal or by the first failing region. */
  stop: AbortController;
  /** Copies this run made, recorded the moment CopyImage answers. */
  created: RegionOutcome[];
  /** Images that existed before this run and are part of the publish. */
  kept: RegionOutcome[];
  /** Kept images this run shared, with their sharing before, so a rollback can undo it. */
  sharedKept: Array<{ outcome: RegionOutcome; before: SharingState }>;
}

function throwIfStopped(run: Run): void {
  if (run.stop.signal.aborted) throw new InterruptedError('publish stopped');
}

function outcome(region: string, imageId: string, origin: RegionOutcome['origin']): RegionOutcome {
  return { region, imageId, origin, snapshots: [] };
}

// An earlier run's copy is found by name (AMI names are unique per account and region).
async function findEarlierCopy(run: Run, region: string): Promise<RegionOutcome | undefined> {
  const name = run.sourceImage.Name ?? '';
  const existing = await findOwnImageByName(region, name, 'publish');
  if (!existing) return undefined;
  const build = tagValue(existing, TAG_BUILD);
  if (build && build !== run.manifest.build_id) {
    const message = `AMI name "${name}" in ${region} is build ${build}'s (${existing.ImageId})`;
    throw new AwsError(message, { code: 'NameTaken' });
  }
  info(`publish ${region}: reusing ${existing.ImageId} (${existing.State})`);
  return outcome(region, existing.ImageId ?? '', 'reused');
}

async function copyTo(run: Run, region: string): Promise<RegionOutcome> {
  throwIfStopped(run);
  // Not abortable: a request already sent may still make a copy, whose id we must learn.
  const out = await send(
    ec2Client(region),
    new CopyImageCommand({
      SourceImageId: run.source.imageId,
      SourceRegion: run.source.region,
      Name: run.sourceImage.Name,
      Description: run.sourceImage.Description,
      CopyImageTags: true,
    }),
    { phase: 'publish' },
  );
  const copied = outcome(region, out.ImageId ?? '', 'copied');
  run.created.push(copied);
  info(`publish ${region}: copying ${run.source.imageId} to ${copied.imageId}`);
  // Tagged at once so a later run or a person can tell what it is even if we die now.
  await tagResources(region, [copied.imageId], run.tags, 'publish');
  return copied;
}

async function obtain(run: Run, region: string): Promise<RegionOutcome> {
  const bakedHere = run.manifest.amis?.[region];
  if (bakedHere) {
    const source = outcome(region, bakedHere, 'source');
    run.kept.push(source);
    return source;
  }
  const earlier = await findEarlierCopy(run, region);
  if (earlier) run.kept.push(earlier);
  return earlier ?? copyTo(run, region);
}

// A fresh copy is never ready at once, so it is described only after a first wait.
async function availableImage(run: Run, result: RegionOutcome): Promise<Image> {
  const { region, imageId } = result;
  if (result.origin !== 'copied' && isShared(run.sharing)) {
    const current = await describeImage(region, imageId, 'publish');
    if (!current) {
      throw new AwsError(`${imageId} in ${region} no longer exists`, { code: 'ImageGone' });
    }
    if (current.State === 'available') return current;
  }
  return waitAvailable({ region, imageId, deadline: run.deadline, signal: run.stop.signal });
}

/** Step one in a region: an available copy (or the bake's own AMI), tagged with its snapshots. */
export async function prepareRegion(run: Run, region: string): Promise<RegionOutcome> {
  const result = await obtain(run, region);
  const image = await availableImage(run, result);
  throwIfStopped(run);
  result.snapshots = snapshotsOf(image);
  // CopyImageTags is not honoured everywhere (moto ignores it): tag explicitly, snapshots too.
  await tagResources(region, [result.imageId, ...result.snapshots], run.tags, 'publish');
  return result;
}

/** Step two: share the image and its snapshots and read the sharing back. */
export async function shareRegion(run: Run, result: RegionOutcome): Promise<RegionOutcome> {
  throwIfStopped(run);
  const { region, imageId, snapshots } = result;
  if (result.origin !== 'copied' && isShared(run.sharing)) {
    const before = await readSharing(region, imageId, snapshots);
    run.sharedKept.push({ outcome: result, before });
  }
  await shareImage(region, imageId, run.sharing);
  for (const snapshotId of snapshots) await shareSnapshot(region, snapshotId, run.sharing);
  await confirmSharing(region, imageId, snapshots, run.sharing);
  info(`publish ${region}: ${imageId} ready (${result.origin})`);
  return result;
}
