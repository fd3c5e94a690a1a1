// What a failed publish leaves: this run's copies removed (or kept with keepPartial), and a
// manifest record saying which AMI exists in which region.
import { info, warn } from '../log.js';
import type { PublishRecord } from '../manifest-types.js';
import { describeImage, removeImage } from './image-ops.js';
import { unshare } from './permissions.js';
import { recordPublish } from './manifest-io.js';
import type { RegionOutcome, Run } from './publish-run.js';

export function amisOf(outcomes: RegionOutcome[]): Record<string, string> {
  return Object.fromEntries(outcomes.map((o) => [o.region, o.imageId]));
}

/**
 * What the record lists: the AMIs an earlier publish left (a run never removes those, so a
 * region this run did not touch, e.g. one outside --regions, still holds its AMI), then this
 * run's. A region where this run had to copy anew held no earlier copy any more.
 */
export function recordedAmis(run: Run, outcomes: RegionOutcome[]): Record<string, string> {
  const earlier = { ...(run.manifest.publish?.amis ?? {}) };
  for (const copy of run.created) delete earlier[copy.region];
  return { ...earlier, ...amisOf(outcomes) };
}

// Images that existed before the run keep only the sharing they had before it.
async function takeBackSharing(run: Run, left: string[]): Promise<void> {
  for (const { outcome, before } of run.sharedKept) {
    try {
      const removed = await unshare(outcome.region, outcome.imageId, run.sharing, before);
      const { region, imageId } = outcome;
      if (removed.length === 0) continue;
      info(`publish ${region}: unshared ${imageId} (${removed.join(', ')})`);
    } catch (error) {
      left.push(`${outcome.region} ${outcome.imageId} still shared: ${(error as Error).message}`);
    }
  }
}

/**
 * Removes every copy this run made and the sharing it gave images that existed before;
 * returns one line per thing it could not undo.
 */
async function rollBack(run: Run): Promise<string[]> {
  const left: string[] = [];
  await takeBackSharing(run, left);
  for (const copy of run.created) {
    try {
      const found = await describeImage(copy.region, copy.imageId, 'publish');
      const image = found ?? { ImageId: copy.imageId };
      const snapshots = await removeImage(copy.region, image, 'publish');
      const also = snapshots.length > 0 ? ` and ${snapshots.join(', ')}` : '';
      info(`publish ${copy.region}: removed ${copy.imageId}${also}`);
    } catch (error) {
      left.push(`${copy.region} ${copy.imageId}: ${(error as Error).message}`);
    }
  }
  return left;
}

export const AFTERMATH: Record<PublishRecord['status'], string> = {
  rolled_back: 'the copies this run made were removed, and the sharing it gave taken back',
  partial: 'the copies this run made were kept (--keep-partial)',
  failed: 'the rollback did not finish; the manifest lists what is left',
  published: 'published',
};

/**
 * Rolls back (unless keepPartial) and records the outcome. Known limit: an image that existed
 * before the run and was already shared the same way stays shared; only what this run added
 * is taken back.
 */
export async function recordFailure(
  run: Run,
  manifestFile: string,
  keepPartial: boolean,
  error: unknown,
): Promise<PublishRecord> {
  const reason = error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error);
  const at = new Date().toISOString();
  const record: PublishRecord = {
    status: 'rolled_back', at, public: run.sharing.public, amis: {}, reason,
  };
  if (keepPartial) {
    record.status = 'partial';
    record.amis = recordedAmis(run, [...run.kept, ...run.created]);
  } else {
    const left = await rollBack(run);
    record.amis = recordedAmis(run, run.kept);
    if (left.length > 0) {
      record.status = 'failed';
      record.reason = `${reason}; rollback left: ${left.join('; ')}`;
      warn(`rollback could not remove everything: ${left.join('; ')}`);
      for (const copy of run.created) record.amis[copy.region] ??= copy.imageId;
    }
  }
  await recordPublish(manifestFile, record);
  return record;
}
