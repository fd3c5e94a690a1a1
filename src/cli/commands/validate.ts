// `amibake validate NAME...|--all [--json]`: checks specs; exit 0 when clean, 2 with every problem.
// Warnings (values that look like secrets) are printed but do not change the exit code.
import { existsSync } from 'node:fs';
import { EXIT, formatSpecProblem, SpecError, UsageError, type SpecProblem } from '../../errors.js';
import { info, printJson, warn } from '../../log.js';
import { imagesDir } from '../../paths.js';
import { displayPath, listSpecNames, loadSpec } from '../../spec/load.js';
import type { LoadedSpec } from '../../spec/types.js';
import { parseCommandArgs } from '../args.js';

export const summary = 'check image specs (NAME... or --all) and list every problem';

const USAGE = 'usage: amibake validate NAME...|--all [--json]';

interface Outcome {
  valid: LoadedSpec[];
  problems: SpecProblem[];
}

async function validateAll(names: string[], dir: string): Promise<Outcome> {
  const outcome: Outcome = { valid: [], problems: [] };
  for (const name of names) {
    try {
      outcome.valid.push(await loadSpec(name, dir));
    } catch (error) {
      if (!(error instanceof SpecError)) throw error;
      outcome.problems.push(...error.problems);
    }
  }
  return outcome;
}

function report(outcome: Outcome, json: boolean): void {
  const warnings = outcome.valid.flatMap((s) => s.warnings ?? []);
  if (json) {
    printJson({
      ok: outcome.problems.length === 0,
      specs: outcome.valid.map((s) => ({ name: s.name, file: displayPath(s.file), hash: s.hash })),
      problems: outcome.problems,
      warnings,
    });
    return;
  }
  for (const spec of outcome.valid) info(`ok ${spec.name}`);
  for (const warning of warnings) warn(formatSpecProblem(warning));
  for (const problem of outcome.problems) info(formatSpecProblem(problem));
}

async function chooseNames(positionals: string[], all: boolean, dir: string): Promise<string[]> {
  if (all && positionals.length > 0) {
    throw new UsageError(`give spec names or --all, not both; ${USAGE}`);
  }
  if (!all && positionals.length === 0) throw new UsageError(`name a spec or give --all; ${USAGE}`);
  if (!all) return positionals;
  const names = await listSpecNames(dir);
  if (!existsSync(dir)) {
    throw new UsageError(`the images directory ${displayPath(dir)} does not exist`, {
      hint: 'run from the repository, or point AMIBAKE_IMAGES_DIR at your specs',
    });
  }
  if (names.length === 0) {
    throw new UsageError(`no *.yaml specs in ${displayPath(dir)}`, {
      hint: 'add images/NAME.yaml or point AMIBAKE_IMAGES_DIR at your specs',
    });
  }
  return names;
}

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs('validate', argv, {
    all: { type: 'boolean' },
    json: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    info(`${USAGE}\n  ${summary}; problems print as file:line:col: path: message`);
    return EXIT.ok;
  }
  const dir = imagesDir();
  const names = await chooseNames(positionals, values.all === true, dir);
  const outcome = await validateAll(names, dir);
  report(outcome, values.json === true);
  return outcome.problems.length > 0 ? EXIT.spec : EXIT.ok;
}
