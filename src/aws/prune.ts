// Retention for an image's AMIs: in each region, of the AMIs tagged amibake:image=NAME, keep
// the N newest, spare anything in use and the newest published one, remove the rest (only with
// apply), snapshots after their AMI. Untagged AMIs are never touched.
import { DescribeImagesCommand, type Image } from '@aws-sdk/client-ec2';
import { InterruptedError, UsageError } from '../errors.js';
import { info } from '../log.js';
import { send } from './actions.js';
import { ec2Client } from './clients.js';
import {
  removeImage, snapshotsOf, tagValue, TAG_BUILD, TAG_IMAGE, TAG_SOURCE,
} from './image-ops.js';
import { imagesInUse } from './in-use.js';
import { assertUsableRegions } from './regions.js';

export interface PruneRequest {
  image: string;
  regions: string[];
  keep: number;
  olderThanDays?: number;
  apply: boolean;
  now?: Date;
  /** Stops removing after the AMI at hand (never between an AMI and its snapshots). */
  signal?: AbortSignal;
}

export type PruneAction = 'keep' | 'remove' | 'removed' | 'spared';

export interface PruneEntry {
  region: string;
  imageId: string;
  name: string;
  build?: string;
  created: string;
  snapshots: string[];
  action: PruneAction;
  reason: string;
}

export interface PruneOutcome {
  image: string;
  applied: boolean;
  entries: PruneEntry[];
}

async function taggedImages(region: string, image: string): Promise<Image[]> {
  const out = await send(
    ec2Client(region),
    new DescribeImagesCommand({
      Owners: ['self'],
      Filters: [{ Name: `tag:${TAG_IMAGE}`, Values: [image] }],
    }),
    { phase: 'prune' },
  );
  // Checked again here: a filter an endpoint ignores must not widen what is deleted.
  return (out.Images ?? []).filter((i) => tagValue(i, TAG_IMAGE) === image);
}

function newestFirst(images: Image[]): Image[] {
  return [...images].sort(
    (a, b) =>
      (b.CreationDate ?? '').localeCompare(a.CreationDate ?? '') ||
      (b.Name ?? '').localeCompare(a.Name ?? ''),
  );
}

function ageDays(created: string, now: Date): number {
  const time = Date.parse(created);
  return Number.isNaN(time) ? Number.POSITIVE_INFINITY : (now.getTime() - time) / 86_400_000;
}

function entryOf(region: string, image: Image, action: PruneAction, reason: string): PruneEntry {
  return {
    region,
    imageId: image.ImageId ?? '',
    name: image.Name ?? '',
    build: tagValue(image, TAG_BUILD),
    created: image.CreationDate ?? '',
    snapshots: snapshotsOf(image),
    action,
    reason,
  };
}

/**
 * The region's newest AMI that publish made or shared (publish tags every such AMI with
 * amibake:source). Newer bakes that were never verified or published must not push out the
 * AMI users launch from now; it goes once a newer one is published. Known limit: a bake's own
 * AMI keeps the tag after a publish that was rolled back, and counts as published.
 */
function newestPublished(images: Image[]): string | undefined {
  return images.find((i) => tagValue(i, TAG_SOURCE) !== undefined)?.ImageId;
}

async function planRegion(request: PruneRequest, region: string): Promise<PruneEntry[]> {
  const now = request.now ?? new Date();
  const images = newestFirst(await taggedImages(region, request.image));
  const published = newestPublished(images);
  const beyond = images.slice(request.keep);
  const inUse = await imagesInUse(region, beyond.map((i) => i.ImageId ?? ''));
  const entries = images
    .slice(0, request.keep)
    .map((i, n) => entryOf(region, i, 'keep', `newest ${n + 1} of ${request.keep}`));
  for (const image of beyond) {
    const days = ageDays(image.CreationDate ?? '', now);
    const used = inUse.get(image.ImageId ?? '');
    const limit = request.olderThanDays;
    if (used) entries.push(entryOf(region, image, 'spared', used));
    else if (image.ImageId === published) {
      entries.push(entryOf(region, image, 'spared', 'the newest published AMI in this region'));
    } else if (limit !== undefined && days <= limit) {
      const why = `${Math.floor(days)} days old, not older than ${limit}`;
      entries.push(entryOf(region, image, 'spared', why));
    } else entries.push(entryOf(region, image, 'remove', `beyond the newest ${request.keep}`));
  }
  return entries;
}

export async function prune(request: PruneRequest): Promise<PruneOutcome> {
  if (!Number.isInteger(request.keep) || request.keep < 1) {
    throw new UsageError(`prune: keep must be a whole number of at least 1 (got ${request.keep})`);
  }
  const regions = [...new Set(request.regions)];
  await assertUsableRegions(regions, 'prune');
  const planned = (await Promise.all(regions.map((region) => planRegion(request, region)))).flat();
  if (request.apply) await applyPlan(planned, request.signal);
  return { image: request.image, applied: request.apply, entries: planned };
}

// One AMI at a time, each with its snapshots: an AMI deregistered but with its snapshots left
// would be found by no later prune. A signal stops the run between two AMIs.
async function applyPlan(planned: PruneEntry[], signal?: AbortSignal): Promise<void> {
  const doomed = planned.filter((e) => e.action === 'remove');
  for (const [done, entry] of doomed.entries()) {
    if (signal?.aborted) {
      throw new InterruptedError(
        `prune interrupted after removing ${done} of ${doomed.length} AMI(s); the rest remain`,
      );
    }
    const image: Image = {
      ImageId: entry.imageId,
      BlockDeviceMappings: entry.snapshots.map((SnapshotId) => ({ Ebs: { SnapshotId } })),
    };
    entry.snapshots = await removeImage(entry.region, image, 'prune');
    entry.action = 'removed';
    const also = entry.snapshots.length > 0 ? ` and ${entry.snapshots.join(', ')}` : '';
    info(`prune ${entry.region}: removed ${entry.imageId}${also}`);
  }
}

/** The stderr table: one row per AMI with what was (or would be) done and why. */
export function pruneTable(outcome: PruneOutcome): string[] {
  const label = (a: PruneAction) => (a === 'remove' ? 'would remove' : a);
  const rows = outcome.entries.map((e) => [
    e.region, e.imageId, e.build ?? '-', e.created.slice(0, 19), label(e.action), e.reason,
  ]);
  const header = ['region', 'ami', 'build', 'created', 'action', 'why'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const last = header.length - 1;
  const pad = (cell: string, i: number) => (i === last ? cell : cell.padEnd(widths[i]));
  const line = (cells: string[]) => cells.map(pad).join('  ');
  return [line(header), ...rows.map(line)];
}
