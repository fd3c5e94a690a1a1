// Loads image specs (images/<name>.yaml): YAML, then schema, then meaning; every problem of
// every file is collected and reported at once, each as file:line:col: path: message.
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { SpecError, type SpecProblem } from '../errors.js';
import { imagesDir, provisionersDir } from '../paths.js';
import { sha256 } from '../util/fs.js';
import { checkSchema, NAME_PATTERN } from './schema.js';
import { schemaIssues } from './schema-messages.js';
import { semanticIssues } from './semantic.js';
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

/** Validates spec text; `file` names it in problems and anchors files/ lookups. No throws. */
export function parseSpec(
  text: string,
  file: string,
  options: ParseOptions = {},
): { spec?: Spec; problems: SpecProblem[] } {
  const shown = displayPath(file);
  const source = parseYaml(text);
  const syntax = yamlIssues(source);
  if (syntax.length > 0) return { problems: syntax.map((p) => ({ file: shown, ...p })) };
  const { data, issue } = toData(source);
  if (issue) return { problems: [{ file: shown, ...issue }] };

  const sourceOf = (at: Issue['path']) => sourceText(source.doc, text, at);
  const issues = [
    ...schemaIssues(checkSchema(data), sourceOf),
    ...semanticIssues(data, {
      provisionersDir: options.provisionersDir ?? provisionersDir(),
      filesDir: options.filesDir ?? path.join(path.dirname(path.resolve(file)), 'files'),
    }),
  ];
  const problems = positioned(source, shown, issues).sort(byPosition);
  return problems.length > 0 ? { problems } : { spec: data as Spec, problems };
}

/** Spec names in a directory: its *.yaml files without the extension, sorted. */
export async function listSpecNames(dir: string = imagesDir()): Promise<string[]> {
  try {
    const files = await readdir(dir);
    return files.filter((f) => f.endsWith('.yaml')).map((f) => f.slice(0, -5)).sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

function fileProblem(file: string, message: string): SpecError {
  return new SpecError([{ file: displayPath(file), line: 1, column: 1, path: '', message }]);
}

async function unknownSpec(name: string, dir: string, file: string): Promise<SpecError> {
  const known = await listSpecNames(dir);
  const choices = known.length > 0 ? `known: ${known.join(', ')}` : 'it has no *.yaml specs';
  return fileProblem(file, `no spec "${name}" in ${displayPath(dir)} (${choices})`);
}

/** Reads and validates images/<name>.yaml; throws SpecError listing every problem. */
export async function loadSpec(name: string, dir: string = imagesDir()): Promise<LoadedSpec> {
  const file = path.resolve(dir, `${name}.yaml`);
  if (!new RegExp(NAME_PATTERN).test(name)) {
    const message = `spec names are lower-case letters, digits and "-" (found: ${name}); rename it`;
    throw fileProblem(file, message);
  }
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
    throw missing ? await unknownSpec(name, dir, file) : error;
  }
  const { spec, problems } = parseSpec(bytes.toString('utf8'), file);
  if (!spec) throw new SpecError(problems);
  return { name, file, spec, hash: sha256(bytes) };
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
