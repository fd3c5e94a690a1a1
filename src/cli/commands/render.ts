// `amibake render NAME...|--all [--target local|aws] [--json] [--no-provision]`: writes the Packer
// build of each spec and target into build/<name>/<target>/ without baking it. Every spec is
// checked first (all problems at once, nothing written); rendering again gives the same bytes.
import { existsSync } from 'node:fs';
import { EXIT, formatSpecProblem, SpecError, UsageError, type SpecProblem } from '../../errors.js';
import { info, printJson, warn } from '../../log.js';
import { redact } from '../../redact.js';
import { detectPacker } from '../../render/packer-version.js';
import { PREVIEW_BUILD_ID, previewContext } from '../../render/preview-context.js';
import { renderBuild } from '../../render/render.js';
import { imagesDir } from '../../paths.js';
import { displayPath, listSpecNames, loadSpec } from '../../spec/load.js';
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

async function chooseNames(names: string[], all: boolean): Promise<string[]> {
  if (all === names.length > 0) throw new UsageError(`name specs or give --all; ${USAGE}`);
  if (!all) return names;
  const dir = imagesDir();
  const found = await listSpecNames(dir);
  if (!existsSync(dir)) {
    throw new UsageError(`the images directory ${displayPath(dir)} does not exist`, {
      hint: 'run from the repository, or point AMIBAKE_IMAGES_DIR at your specs',
    });
  }
  if (found.length === 0) {
    throw new UsageError(`no *.yaml specs to render in ${displayPath(dir)}`, {
      hint: 'add images/NAME.yaml or point AMIBAKE_IMAGES_DIR at your specs',
    });
  }
  return found;
}

// Every spec is loaded before anything is written, and one SpecError lists all their problems.
async function loadChosen(names: string[]): Promise<LoadedSpec[]> {
  const loaded: LoadedSpec[] = [];
  const problems: SpecProblem[] = [];
  for (const name of names) {
    try {
      loaded.push(await loadSpec(name));
    } catch (error) {
      if (!(error instanceof SpecError)) throw error;
      problems.push(...error.problems);
    }
  }
  if (problems.length > 0) throw new SpecError(problems);
  for (const spec of loaded) {
    for (const warning of spec.warnings ?? []) warn(formatSpecProblem(warning));
  }
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
  const specs = await loadChosen(await chooseNames(positionals, all));
  const plan = specs.flatMap((loaded) =>
    targetsOf(loaded, only, all).map((target) => ({ loaded, target })),
  );
  const packer = await detectPacker();
  const rendered: Rendered[] = [];
  for (const { loaded, target } of plan) {
    const options = { buildId: PREVIEW_BUILD_ID, noProvision };
    const ctx = await previewContext(loaded, target, packer, options);
    const result = await renderBuild(loaded, ctx);
    rendered.push({ image: loaded.name, target, dir: result.dir, files: result.files });
  }
  if (values.json) printJson(rendered);
  else for (const r of rendered) process.stdout.write(`${redact(r.dir)}\n`);
  return EXIT.ok;
}
