// What a failed publish leaves: this run's copies removed (or kept with keepPartial), and a
// manifest record saying which AMI exists in which region.
import { info, warn } from '../log.js';
import type { PublishRecord } from '../manifest-types.js';
import { describeImage, removeImage } from './image-ops.js';
import { recordPublish } from './manifest-io.js';
import type { RegionOutcome, Run } from './publish-run.js';

export function amisOf(outcomes: RegionOutcome[]): Record<string, string> {
  return Object.fromEntries(outcomes.map((o) => [o.region, o.imageId]));
}

/** Removes every copy this run made; returns one line per copy it could not remove. */
async function rollBack(run: Run): Promise<string[]> {
  const left: string[] = [];
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
  rolled_back: 'the copies this run made were removed',
  partial: 'the copies this run made were kept (--keep-partial)',
  failed: 'the rollback did not finish; the manifest lists what is left',
  published: 'published',
};

/**
 * Rolls back (unless keepPartial) and records the outcome. Known limit: images that existed
 * before the run (the bake's AMI, earlier copies) keep any sharing this run gave them.
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
    record.amis = amisOf([...run.kept, ...run.created]);
  } else {
    const left = await rollBack(run);
    record.amis = amisOf(run.kept);
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
