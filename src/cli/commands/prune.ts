// amibake prune NAME --keep N [--older-than DAYS] [--regions a,b] [--apply] [--json]: removes
// an image's old AMIs (ours only, never one in use) in every region of its spec, or in
// --regions; a dry run without --apply.
import { parseCommandArgs } from '../args.js';
import { UsageError } from '../../errors.js';
import { info, printJson } from '../../log.js';
import { loadSpec } from '../../spec/load.js';
import type { LoadedSpec } from '../../spec/types.js';
import { prune, pruneTable, type PruneOutcome } from '../../aws/prune.js';
import { parseRegionList } from '../../aws/regions.js';
import { withInterrupts } from '../../bake/interrupts.js';

export const summary = 'remove old AMIs of an image: prune NAME --keep N [--older-than DAYS]';

const USAGE =
  'usage: amibake prune NAME --keep N [--older-than DAYS] [--regions a,b] [--apply] [--json]';

function wholeNumber(flag: string, value: string | undefined, min: number): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) < min) {
    const message = `prune: ${flag} takes a whole number of at least ${min} (got "${value}")`;
    throw new UsageError(`${message}; ${USAGE}`);
  }
  return Number(value);
}

/**
 * The spec's publish regions plus the default region (AWS_REGION), where bakes usually run
 * even when the image is published elsewhere.
 */
export function pruneRegions(loaded: LoadedSpec, env = process.env): string[] {
  const home = env.AWS_REGION || env.AWS_DEFAULT_REGION;
  const regions = [...(loaded.spec.publish?.regions ?? []), ...(home ? [home] : [])];
  if (regions.length === 0) {
    throw new UsageError(`prune: ${loaded.name} has no publish.regions and AWS_REGION is unset`);
  }
  return [...new Set(regions)];
}

function printSummary(outcome: PruneOutcome): void {
  for (const line of pruneTable(outcome)) info(line);
  const gone = outcome.entries.filter((e) => e.action === 'remove' || e.action === 'removed');
  if (outcome.applied) info(`removed ${gone.length} AMI(s)`);
  else info(`dry run: ${gone.length} AMI(s) would be removed; add --apply`);
}

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs('prune', argv, {
    keep: { type: 'string' },
    'older-than': { type: 'string' },
    regions: { type: 'string' },
    apply: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
  });
  const [name] = positionals;
  if (!name || positionals.length > 1) {
    throw new UsageError(`prune: give exactly one image name; ${USAGE}`);
  }
  const loaded = await loadSpec(name);
  // Flags win; without them the spec's rebuild.retention decides.
  const retention = loaded.spec.rebuild?.retention;
  const keep = wholeNumber('--keep', values.keep, 1) ?? retention?.keep;
  if (keep === undefined) {
    throw new UsageError(`prune: give --keep N (the spec sets no retention); ${USAGE}`);
  }
  const olderThan = wholeNumber('--older-than', values['older-than'], 0);
  // --regions reaches regions outside the spec, e.g. ones published to with publish --regions.
  const regions = parseRegionList('prune', values.regions) ?? pruneRegions(loaded);
  const outcome = await withInterrupts((signal) =>
    prune({
      image: name,
      regions,
      keep,
      olderThanDays: olderThan ?? retention?.older_than_days,
      apply: values.apply,
      signal,
    }),
  );
  printSummary(outcome);
  if (values.json) printJson(outcome);
  return 0;
}
