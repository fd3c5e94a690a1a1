// amibake publish NAME [--build ID] [--regions a,b] [--assume-unblocked] [--keep-partial]
// [--json]: copies a verified AWS build to the spec's regions and shares it.
import { parseCommandArgs } from '../args.js';
import { UsageError } from '../../errors.js';
import { info, printJson } from '../../log.js';
import { loadSpec } from '../../spec/load.js';
import { withInterrupts } from '../../bake/interrupts.js';
import { findAwsManifest } from '../../aws/manifest-io.js';
import { publishBuild, type PublishOutcome } from '../../aws/publish.js';

export const summary =
  'copy a verified aws build to its regions and share it: publish NAME [--build ID]';

const USAGE =
  'usage: amibake publish NAME [--build ID] [--regions a,b] [--assume-unblocked]' +
  ' [--keep-partial] [--json]';

const REGION = /^[a-z]{2}(-[a-z]+)+-[0-9]+$/;

export function parseRegions(value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  const regions = value.split(',').map((r) => r.trim()).filter((r) => r !== '');
  const bad = regions.filter((r) => !REGION.test(r));
  if (regions.length === 0 || bad.length > 0) {
    const found = bad.join(', ') || 'none given';
    throw new UsageError(`publish: --regions takes names like us-east-1,eu-west-1 (bad: ${found})`);
  }
  return regions;
}

function printTable(outcome: PublishOutcome): void {
  info(`${'region'.padEnd(16)} ${'ami'.padEnd(22)} origin`);
  for (const r of outcome.regions) {
    info(`${r.region.padEnd(16)} ${r.imageId.padEnd(22)} ${r.origin}`);
  }
}

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs('publish', argv, {
    build: { type: 'string' },
    regions: { type: 'string' },
    'assume-unblocked': { type: 'boolean', default: false },
    'keep-partial': { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
  });
  const [name] = positionals;
  if (!name || positionals.length > 1) {
    throw new UsageError(`publish: give exactly one image name; ${USAGE}`);
  }
  const regions = parseRegions(values.regions);
  const loaded = await loadSpec(name);
  const publish = loaded.spec.publish;
  if (!publish) {
    throw new UsageError(`${name} has no publish section`, {
      hint: `add publish: { public: false, regions: [...] } to ${loaded.file}`,
    });
  }
  const manifestFile = await findAwsManifest(name, values.build);
  const outcome = await withInterrupts((signal) =>
    publishBuild({
      image: name,
      manifestFile,
      publish,
      regions,
      assumeUnblocked: values['assume-unblocked'],
      keepPartial: values['keep-partial'],
      signal,
    }),
  );
  printTable(outcome);
  if (values.json) printJson(outcome);
  return 0;
}
