// `amibake render NAME...|--all [--target local|aws] [--json] [--no-provision]`: writes the Packer
// build of each spec and target into build/<name>/<target>/ without baking it.
import { EXIT, UsageError } from '../../errors.js';
import { info, printJson } from '../../log.js';
import { redact } from '../../redact.js';
import { newBuildId } from '../../bake/manifest.js';
import { detectPacker } from '../../render/packer-version.js';
import { previewContext } from '../../render/preview-context.js';
import { renderBuild } from '../../render/render.js';
import { listSpecNames, loadSpec } from '../../spec/load.js';
import { TARGETS, type LoadedSpec, type TargetName } from '../../spec/types.js';
import { parseCommandArgs } from '../args.js';

export const summary = 'write the Packer build of specs (NAME... or --all) without baking';

const USAGE =
  'usage: amibake render NAME...|--all [--target local|aws] [--json] [--no-provision]';

interface Rendered {
  image: string;
  target: TargetName;
  dir: string;
  files: string[];
}

function parseTarget(value: string | undefined): TargetName | undefined {
  if (value === undefined) return undefined;
  if (!(TARGETS as readonly string[]).includes(value)) {
    const choices = TARGETS.join(', ');
    throw new UsageError(`--target must be one of ${choices} (got "${value}"); ${USAGE}`);
  }
  return value as TargetName;
}

async function chooseSpecs(names: string[], all: boolean): Promise<LoadedSpec[]> {
  if (all === names.length > 0) throw new UsageError(`name specs or give --all; ${USAGE}`);
  const chosen = all ? await listSpecNames() : names;
  if (chosen.length === 0) throw new UsageError('no *.yaml specs to render');
  const loaded: LoadedSpec[] = [];
  for (const name of chosen) loaded.push(await loadSpec(name));
  return loaded;
}

// With an explicit --target a spec must declare it; with --all specs without it are skipped.
function targetsOf(loaded: LoadedSpec, only: TargetName | undefined, all: boolean): TargetName[] {
  const declared = TARGETS.filter((t) => loaded.spec.targets[t] !== undefined);
  if (!only) return declared;
  if (declared.includes(only)) return [only];
  if (all) {
    info(`skipping ${loaded.name}: it declares no ${only} target`);
    return [];
  }
  throw new UsageError(`${loaded.name} declares no ${only} target (it has ${declared.join(', ')})`);
}

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs('render', argv, {
    all: { type: 'boolean' },
    target: { type: 'string' },
    json: { type: 'boolean' },
    'no-provision': { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    info(`${USAGE}\n  ${summary}; --no-provision (aws only) renders communicator "none"`);
    return EXIT.ok;
  }
  const only = parseTarget(values.target);
  const noProvision = values['no-provision'] === true;
  if (noProvision && only === 'local') {
    throw new UsageError('--no-provision applies to the aws target only');
  }
  const all = values.all === true;
  const specs = await chooseSpecs(positionals, all);
  const packer = await detectPacker();
  const buildId = newBuildId();
  const rendered: Rendered[] = [];
  for (const loaded of specs) {
    for (const target of targetsOf(loaded, only, all)) {
      const ctx = await previewContext(loaded, target, packer, { buildId, noProvision });
      const result = await renderBuild(loaded, ctx);
      rendered.push({ image: loaded.name, target, dir: result.dir, files: result.files });
    }
  }
  if (values.json) printJson(rendered);
  else for (const r of rendered) process.stdout.write(`${redact(r.dir)}\n`);
  return EXIT.ok;
}
