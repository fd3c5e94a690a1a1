// Argument handling shared by the builds, outdated, rebuild and schedule commands.
import { UsageError } from '../errors.js';
import { imagesDir } from '../paths.js';
import { displayPath, listSpecNames, loadAllSpecs, loadSpec } from '../spec/load.js';
import { TARGETS, type LoadedSpec, type TargetName } from '../spec/types.js';

export const STATE_HELP =
  '--state URI: a directory, file://DIR or s3://bucket/prefix (default $AMIBAKE_STATE, ' +
  'else build/state)';

export function targetsOption(value: string | undefined): TargetName[] | undefined {
  if (value === undefined) return undefined;
  if (!(TARGETS as readonly string[]).includes(value)) {
    throw new UsageError(`unknown target "${value}"; use ${TARGETS.join(' or ')}`);
  }
  return [value as TargetName];
}

/** The named specs, or every spec with --all; exactly one of the two, like `validate`. */
export async function selectSpecs(
  command: string,
  names: string[],
  all: boolean,
  usage: string,
): Promise<LoadedSpec[]> {
  if (all && names.length > 0) {
    throw new UsageError(`${command}: give names or --all, not both; ${usage}`);
  }
  if (!all && names.length === 0) {
    throw new UsageError(`${command}: name an image or give --all; ${usage}`);
  }
  if (!all) return Promise.all([...new Set(names)].map((name) => loadSpec(name)));
  if ((await listSpecNames()).length === 0) {
    throw new UsageError(`${command}: no *.yaml specs in ${displayPath(imagesDir())}`, {
      hint: 'add images/NAME.yaml or point AMIBAKE_IMAGES_DIR at your specs',
    });
  }
  return loadAllSpecs();
}
