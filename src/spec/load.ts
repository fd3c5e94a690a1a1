// Loads image specs (images/<name>.yaml): YAML, then schema, then meaning; every problem of
// every file is collected and reported at once, each as file:line:col: path: message.
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { SpecError, UsageError, type SpecProblem } from '../errors.js';
import { imagesDir, provisionersDir } from '../paths.js';
import { sha256 } from '../util/fs.js';
import { checkSchema, NAME_PATTERN } from './schema.js';
import { schemaIssues } from './schema-messages.js';
import { semanticIssues } from './semantic.js';
import { buildLimitIssues } from './build-limits.js';
import { secretWarnings } from './secrets.js';
import { formatPath, locate, sourceText, type Issue } from './positions.js';
import { parseYaml, toData, yamlIssues, type YamlSource } from './yaml-source.js';
import type { LoadedSpec, Spec } from './types.js';

export interface ParseOptions {
  /** Where step scripts live; default provisionersDir(). */
  provisionersDir?: string;
  /** Where file sources live; default files/ beside the spec file. */
  filesDir?: string;
}

/** The shorter of the path relative to the current directory and the path as given. */
export function displayPath(file: string): string {
  if (!path.isAbsolute(file)) return file;
  const relative = path.relative(process.cwd(), file);
  return relative !== '' && relative.length < file.length ? relative : file;
}

function byPosition(a: SpecProblem, b: SpecProblem): number {
  return a.line - b.line || a.column - b.column;
}

function positioned(source: YamlSource, file: string, issues: Issue[]): SpecProblem[] {
  return issues.map((issue) => {
    const { line, column } = locate(source.doc, source.counter, issue);
    return { file, line, column, path: formatPath(issue.path), message: issue.message };
  });
}

export interface ParsedSpec {
  spec?: Spec;
  problems: SpecProblem[];
  /** Found even when there are problems; never stop a build. */
  warnings: SpecProblem[];
}

/** Validates spec text; `file` names it in problems and anchors files/ lookups. No throws. */
export function parseSpec(text: string, file: string, options: ParseOptions = {}): ParsedSpec {
  const shown = displayPath(file);
  const source = parseYaml(text);
  const syntax = yamlIssues(source);
  if (syntax.length > 0) {
    return { problems: syntax.map((p) => ({ file: shown, ...p })), warnings: [] };
  }
  const { data, issue } = toData(source);
  if (issue) return { problems: [{ file: shown, ...issue }], warnings: [] };

  const sourceOf = (at: Issue['path']) => sourceText(source.doc, text, at);
  const issues = [
    ...schemaIssues(checkSchema(data), sourceOf),
    ...semanticIssues(data, {
      provisionersDir: options.provisionersDir ?? provisionersDir(),
      filesDir: options.filesDir ?? path.join(path.dirname(path.resolve(file)), 'files'),
    }),
    ...buildLimitIssues(data),
  ];
  const problems = positioned(source, shown, issues).sort(byPosition);
  const warnings = positioned(source, shown, secretWarnings(data)).sort(byPosition);
  return problems.length > 0 ? { problems, warnings } : { spec: data as Spec, problems, warnings };
}

/** Spec names in a directory: its *.yaml files without the extension, sorted; none if the
 * directory does not exist. A path that is not a directory is a UsageError. */
export async function listSpecNames(dir: string = imagesDir()): Promise<string[]> {
  try {
    const files = await readdir(dir);
    return files.filter((f) => f.endsWith('.yaml')).map((f) => f.slice(0, -5)).sort();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return [];
    if (code === 'ENOTDIR') {
      throw new UsageError(`the images directory ${displayPath(dir)} is not a directory`, {
        hint: 'point AMIBAKE_IMAGES_DIR at the directory holding your NAME.yaml specs',
      });
    }
    throw error;
  }
}

function fileProblem(file: string, message: string): SpecError {
  return new SpecError([{ file: displayPath(file), line: 1, column: 1, path: '', message }]);
}

async function unknownSpec(name: string, dir: string, file: string): Promise<SpecError> {
  if (!existsSync(dir)) {
    return fileProblem(file, `no spec "${name}": the images directory ${displayPath(dir)} ` +
      'does not exist (set AMIBAKE_IMAGES_DIR or run from the repository)');
  }
  if (existsSync(path.join(dir, `${name}.yml`))) {
    return fileProblem(file, `no spec "${name}", but there is ${name}.yml; ` +
      `specs end in .yaml: rename it to ${name}.yaml`);
  }
  const known = await listSpecNames(dir);
  const choices = known.length > 0 ? `known: ${known.join(', ')}` : 'it has no *.yaml specs';
  return fileProblem(file, `no spec "${name}" in ${displayPath(dir)} (${choices})`);
}

// A file name or path given instead of a name: the name it stands for, when the file it points
// at would be in the images directory.
function nameInstead(name: string, dir: string): string | undefined {
  const stem = path.basename(name).replace(/\.ya?ml$/, '');
  if (!new RegExp(NAME_PATTERN).test(stem)) return undefined;
  const home = path.resolve(dir);
  const inDir = [path.resolve(dir, name), path.resolve(name)].some((p) => path.dirname(p) === home);
  return inDir ? stem : undefined;
}

function badName(name: string, dir: string): SpecError {
  const stem = nameInstead(name, dir);
  if (stem) {
    const message = `give a spec by its name, not its file name or path (found: ${name}); ` +
      `use "${stem}"`;
    return fileProblem(path.join(dir, `${stem}.yaml`), message);
  }
  const message = `spec names are lower-case letters, digits and "-" (found: ${name}); ` +
    `specs are NAME.yaml files in ${displayPath(dir)}`;
  return fileProblem(dir, message);
}

/** Reads and validates images/<name>.yaml; throws SpecError listing every problem. */
export async function loadSpec(name: string, dir: string = imagesDir()): Promise<LoadedSpec> {
  if (!new RegExp(NAME_PATTERN).test(name)) throw badName(name, dir);
  const file = path.resolve(dir, `${name}.yaml`);
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw await unknownSpec(name, dir, file);
    const why = code === 'EISDIR' ? 'it is a directory' : (error as Error).message;
    throw fileProblem(file, `cannot read the spec: ${why}`);
  }
  const { spec, problems, warnings } = parseSpec(bytes.toString('utf8'), file);
  if (!spec) throw new SpecError(problems);
  return { name, file, spec, hash: sha256(bytes), ...(warnings.length > 0 ? { warnings } : {}) };
}

/** Loads every spec in a directory; one SpecError carries the problems of all files. */
export async function loadAllSpecs(dir: string = imagesDir()): Promise<LoadedSpec[]> {
  const loaded: LoadedSpec[] = [];
  const problems: SpecProblem[] = [];
  for (const name of await listSpecNames(dir)) {
    try {
      loaded.push(await loadSpec(name, dir));
    } catch (error) {
      if (!(error instanceof SpecError)) throw error;
      problems.push(...error.problems);
    }
  }
  if (problems.length > 0) throw new SpecError(problems);
  return loaded;
}
