// The parts of a spec that apply to one target, checked for what the generated scripts need.
import { realpathSync } from 'node:fs';
import path from 'node:path';
import { RenderError } from '../errors.js';
import { RESERVED_VAR } from '../spec/build-limits.js';
import type { FileEntry, Source, Spec, Step, TargetName } from '../spec/types.js';

export function forTarget<T extends { targets?: TargetName[] }>(
  items: readonly T[] | undefined,
  target: TargetName,
): T[] {
  return (items ?? []).filter((item) => !item.targets || item.targets.includes(target));
}

// A leading "-" would make apt-get or yum read a package name as an option.
const PACKAGE = /^[A-Za-z0-9][A-Za-z0-9+._:=~/@-]*$/;

/** spec.packages plus targets.<target>.packages, without repeats, sorted. */
export function targetPackages(spec: Spec, target: TargetName): string[] {
  const all = [...(spec.packages ?? []), ...(spec.targets[target]?.packages ?? [])];
  for (const name of all) {
    if (!PACKAGE.test(name)) throw new RenderError(`package name "${name}" is not valid`);
  }
  return [...new Set(all)].sort();
}

const VAR_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** A step's variables as sorted KEY=value strings; amibake's own names are refused. */
export function stepVars(step: Step): string[] {
  const vars = step.vars ?? {};
  return Object.keys(vars)
    .sort()
    .map((name) => {
      if (!VAR_NAME.test(name)) {
        throw new RenderError(`step "${step.script}": variable "${name}" is not a shell name`);
      }
      if (RESERVED_VAR.test(name)) {
        throw new RenderError(`step "${step.script}": variable "${name}" is set by amibake itself`);
      }
      return `${name}=${vars[name]}`;
    });
}

const MODE = /^[0-7]{3,4}$/;
const ACCOUNT = '(?:[0-9]+|[a-z_][a-z0-9_-]*[$]?)';
const OWNER = new RegExp(`^${ACCOUNT}(?::${ACCOUNT})?$`);

export interface CheckedFile {
  /** Index in spec.files; names the staged copy. */
  index: number;
  entry: FileEntry;
  mode: string;
  owner: string;
}

export function checkFiles(spec: Spec, target: TargetName): CheckedFile[] {
  const out: CheckedFile[] = [];
  (spec.files ?? []).forEach((entry, index) => {
    if (entry.targets && !entry.targets.includes(target)) return;
    const where = `files[${index}] (${entry.destination})`;
    if (!path.posix.isAbsolute(entry.destination) || entry.destination.endsWith('/')) {
      throw new RenderError(`${where}: destination must be an absolute file path`);
    }
    if ((entry.source === undefined) === (entry.content === undefined)) {
      throw new RenderError(`${where}: give exactly one of source and content`);
    }
    const mode = entry.mode ?? '0644';
    if (!MODE.test(mode)) throw new RenderError(`${where}: mode "${mode}" is not octal like 0644`);
    const owner = entry.owner ?? 'root:root';
    if (!OWNER.test(owner)) throw new RenderError(`${where}: owner "${owner}" is not user[:group]`);
    out.push({ index, entry, mode, owner });
  });
  return out;
}

// The real path when the file exists (symlinks followed), else the path as given.
function realOrSelf(file: string): string {
  try {
    return realpathSync(file);
  } catch {
    return file;
  }
}

/** Resolves a file entry's source under <spec dir>/files/, refusing paths that leave it, also
 * through a symlink (which could carry any host file into the image). */
export function fileSourcePath(specFile: string, source: string): string {
  const base = path.join(path.dirname(specFile), 'files');
  const resolved = path.resolve(base, source);
  if (!resolved.startsWith(base + path.sep)) {
    throw new RenderError(`file source "${source}" points outside ${base}`);
  }
  const real = realOrSelf(resolved);
  if (!real.startsWith(realOrSelf(base) + path.sep)) {
    throw new RenderError(`file source "${source}" is a symlink to ${real}, outside ${base}`, {
      hint: 'copy the file into the files directory instead',
    });
  }
  return resolved;
}

export function checkSources(spec: Spec): Source[] {
  const sources = spec.sources ?? [];
  for (const s of sources) {
    if (!/^[A-Za-z0-9][A-Za-z0-9._+-]*$/.test(s.name)) {
      throw new RenderError(`source "${s.name}": name must be a plain file name`);
    }
    if (!/^[0-9a-f]{64}$/.test(s.sha256)) {
      throw new RenderError(`source "${s.name}": sha256 must be 64 lowercase hex digits`);
    }
    if (s.destination !== undefined && !path.posix.isAbsolute(s.destination)) {
      throw new RenderError(`source "${s.name}": destination must be an absolute directory`);
    }
  }
  return sources;
}
