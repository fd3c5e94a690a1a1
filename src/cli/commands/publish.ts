// amibake publish NAME [--build ID] [--regions a,b] [--assume-unblocked] [--keep-partial]
// [--json] [--state URI]: copies a verified AWS build to the spec's regions and shares it, and
// records the outcome (published or not) in the build's manifest and in the state store.
import { parseCommandArgs } from '../args.js';
import { UsageError } from '../../errors.js';
import { info, printJson, warn } from '../../log.js';
import { loadSpec } from '../../spec/load.js';
import { withInterrupts } from '../../bake/interrupts.js';
import { listBuildIds, manifestPath } from '../../bake/manifest.js';
import { findAwsManifest, loadManifest } from '../../aws/manifest-io.js';
import { publishBuild, type PublishOutcome } from '../../aws/publish.js';
import { parseRegionList } from '../../aws/regions.js';
import { openStateStore, type StateStore } from '../../state/store.js';

export const summary =
  'copy a verified aws build to its regions and share it: publish NAME [--build ID]';

const USAGE =
  'usage: amibake publish NAME [--build ID] [--regions a,b] [--assume-unblocked]' +
  ' [--keep-partial] [--json] [--state URI]';

function printTable(outcome: PublishOutcome): void {
  info(`${'region'.padEnd(16)} ${'ami'.padEnd(22)} origin`);
  for (const r of outcome.regions) {
    info(`${r.region.padEnd(16)} ${r.imageId.padEnd(22)} ${r.origin}`);
  }
}

/**
 * The build to publish: --build, else the newest. A newest build that did not bake names the
 * newest one that did, since publishing an older build must be asked for.
 */
async function chooseManifest(name: string, buildId: string | undefined): Promise<string> {
  const file = await findAwsManifest(name, buildId);
  if (buildId) return file;
  const newest = await loadManifest(file);
  if (newest.status === 'succeeded') return file;
  const ids = (await listBuildIds(name, 'aws')).reverse();
  for (const id of ids) {
    const candidate = await loadManifest(manifestPath(name, 'aws', id)).catch(() => undefined);
    if (candidate?.status !== 'succeeded') continue;
    throw new UsageError(
      `the newest aws build of ${name}, ${newest.build_id}, is ${newest.status};` +
        ` the newest that baked is ${id}`,
      { hint: `publish it with: amibake publish ${name} --build ${id}` },
    );
  }
  return file;
}

// The state store sees the publish record too, also after a failure or an interrupt. Only that
// field is set on the stored build, so a verify recording beside it loses nothing.
async function recordInState(manifestFile: string, store: StateStore): Promise<void> {
  const manifest = await loadManifest(manifestFile).catch(() => undefined);
  if (!manifest?.publish) return;
  const { publish } = manifest;
  try {
    await store.update(manifest.image, manifest.build_id, (current) =>
      current ? { ...current, publish } : manifest,
    );
  } catch (error) {
    warn(`could not record the publish of ${manifest.build_id} in ${store.location}: ` +
      (error as Error).message);
  }
}

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs('publish', argv, {
    build: { type: 'string' },
    regions: { type: 'string' },
    'assume-unblocked': { type: 'boolean', default: false },
    'keep-partial': { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
    state: { type: 'string' },
  });
  const [name] = positionals;
  if (!name || positionals.length > 1) {
    throw new UsageError(`publish: give exactly one image name; ${USAGE}`);
  }
  const regions = parseRegionList('publish', values.regions);
  const loaded = await loadSpec(name);
  const publish = loaded.spec.publish;
  if (!publish) {
    throw new UsageError(`${name} has no publish section`, {
      hint: `add publish: { public: false, regions: [...] } to ${loaded.file}`,
    });
  }
  // Opened first, so a malformed --state fails before anything is copied.
  const store = await openStateStore(values.state);
  const manifestFile = await chooseManifest(name, values.build);
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
  ).finally(() => recordInState(manifestFile, store));
  printTable(outcome);
  if (values.json) printJson(outcome);
  return 0;
}
