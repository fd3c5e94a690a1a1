// Checks a spec's meaning beyond its shape: scripts and files exist, names are unique,
// targets are declared, the cron parses. Reads the raw parsed YAML defensively, so it can run
// even when the schema failed and every problem of a file is reported in one pass.
import { existsSync, readdirSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import { CronExpressionParser } from 'cron-parser';
import { TARGETS } from './types.js';
import { NAME_PATTERN } from './schema.js';
import type { Issue, Segment } from './positions.js';

export interface SemanticContext {
  /** Directory holding <script>.sh provisioners. */
  provisionersDir: string;
  /** Directory file entries' `source` paths are relative to (images/files). */
  filesDir: string;
}

type Entry = Record<string, unknown>;

function isEntry(value: unknown): value is Entry {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function entries(value: unknown): [number, Entry][] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((item, i): [number, Entry][] => (isEntry(item) ? [[i, item]] : []));
}

function listScripts(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((f) => f.endsWith('.sh')).map((f) => f.slice(0, -3)).sort();
}

function checkScripts(spec: Entry, dir: string): Issue[] {
  const known = listScripts(dir);
  const issues: Issue[] = [];
  for (const [i, step] of entries(spec.steps)) {
    const script = step.script;
    if (typeof script !== 'string' || !new RegExp(NAME_PATTERN).test(script)) continue;
    if (known.includes(script)) continue;
    const choices = known.length > 0 ? `use one of: ${known.join(', ')}` : 'there are none yet';
    const message =
      `no provisioner script "${script}.sh"; add provisioners/${script}.sh or ${choices}`;
    issues.push({ path: ['steps', i, 'script'], at: 'value', message });
  }
  return issues;
}

function checkFileSource(source: string, filesDir: string): string | undefined {
  const normal = path.posix.normalize(source);
  if (path.isAbsolute(source) || normal.startsWith('../') || normal === '..') {
    return `expected a path inside images/files/ (found: ${source})`;
  }
  const full = path.join(filesDir, normal);
  if (!existsSync(full)) return `no file images/files/${normal}; add it or fix the path`;
  if (!statSync(full).isFile()) return `images/files/${normal} is not a file; name a file in it`;
  // A symlink could carry any host file (a credentials file, say) into the image.
  const real = realpathSync(full);
  if (!real.startsWith(realpathSync(filesDir) + path.sep)) {
    return `images/files/${normal} is a symlink to ${real}, outside images/files/; ` +
      'copy the file in instead';
  }
  return undefined;
}

function checkFiles(spec: Entry, filesDir: string): Issue[] {
  const issues: Issue[] = [];
  for (const [i, file] of entries(spec.files)) {
    const hasSource = file.source !== undefined;
    const hasContent = file.content !== undefined;
    if (hasSource === hasContent) {
      const found = hasSource ? 'both' : 'neither';
      const message = `expected exactly one of source or content, found ${found}`;
      issues.push({ path: ['files', i], at: 'value', message });
    }
    if (typeof file.source === 'string' && file.source !== '') {
      const message = checkFileSource(file.source, filesDir);
      if (message) issues.push({ path: ['files', i, 'source'], at: 'value', message });
    }
  }
  return issues;
}

function checkUnique(spec: Entry, list: 'sources' | 'smoke', what: string): Issue[] {
  const seen = new Map<string, number>();
  const issues: Issue[] = [];
  for (const [i, item] of entries(spec[list])) {
    if (typeof item.name !== 'string') continue;
    const first = seen.get(item.name);
    if (first === undefined) seen.set(item.name, i);
    else {
      const message = `duplicate ${what} name "${item.name}" (first used by ${list}[${first}])`;
      issues.push({ path: [list, i, 'name'], at: 'value', message });
    }
  }
  return issues;
}

function declaredTargets(spec: Entry): string[] {
  const targets = spec.targets;
  return isEntry(targets) ? TARGETS.filter((t) => t in targets) : [];
}

function checkTargetLists(spec: Entry): Issue[] {
  const declared = declaredTargets(spec);
  const issues: Issue[] = [];
  for (const list of ['steps', 'files', 'smoke'] as const) {
    for (const [i, item] of entries(spec[list])) {
      if (!Array.isArray(item.targets)) continue;
      item.targets.forEach((target: unknown, j: number) => {
        if (!TARGETS.includes(target as never) || declared.includes(target as string)) return;
        const message = `target "${target}" is not declared in targets ` +
          `(declared: ${declared.join(', ') || 'none'})`;
        issues.push({ path: [list, i, 'targets', j], at: 'value', message });
      });
    }
  }
  return issues;
}

// cron-parser also accepts 6-field (seconds) and 4-field expressions; specs want classic cron.
function cronProblem(schedule: string): string | undefined {
  const fields = schedule.trim().split(/\s+/).length;
  if (fields !== 5) return `found ${fields} field${fields === 1 ? '' : 's'}`;
  try {
    CronExpressionParser.parse(schedule);
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

function checkSchedule(spec: Entry): Issue[] {
  if (!isEntry(spec.rebuild) || typeof spec.rebuild.schedule !== 'string') return [];
  const problem = cronProblem(spec.rebuild.schedule);
  if (!problem) return [];
  const message = `expected a 5-field cron expression such as "0 3 * * 1" (${problem})`;
  return [{ path: ['rebuild', 'schedule'], at: 'value', message }];
}

function checkPublish(spec: Entry): Issue[] {
  if (!isEntry(spec.publish)) return [];
  const issues: Issue[] = [];
  if (!declaredTargets(spec).includes('aws')) {
    const message = 'publishing needs an aws target; declare targets.aws or remove publish';
    issues.push({ path: ['publish'], at: 'key', message });
  }
  const regions = Array.isArray(spec.publish.regions) ? spec.publish.regions : [];
  regions.forEach((region: unknown, i: number) => {
    if (regions.indexOf(region) === i) return;
    const path: Segment[] = ['publish', 'regions', i];
    issues.push({ path, at: 'value', message: `duplicate region "${String(region)}"` });
  });
  return issues;
}

function checkPorts(spec: Entry): Issue[] {
  return entries(spec.smoke).flatMap(([i, smoke]): Issue[] => {
    const port = smoke.port;
    if (typeof port !== 'string' || !/^[0-9]+$/.test(port)) return [];
    if (Number(port) >= 1 && Number(port) <= 65535) return [];
    const message = `expected a port from 1 to 65535 (found: ${port})`;
    return [{ path: ['smoke', i, 'port'], at: 'value', message }];
  });
}

// Graviton families carry a "g" after the generation digit (t4g, c7gn, im4gn, x2gd); no x86
// family does. A heuristic over AWS's naming scheme: a new family could break it.
const GRAVITON_TYPE = /^[a-z-]+[0-9]+[a-z-]*g[a-z-]*\./;

function checkInstanceArchitecture(spec: Entry): Issue[] {
  const aws = isEntry(spec.targets) ? spec.targets.aws : undefined;
  const type = isEntry(aws) ? aws.instance_type : undefined;
  const arch = spec.architecture;
  if (typeof type !== 'string' || typeof arch !== 'string') return [];
  const arm = GRAVITON_TYPE.test(type);
  if (arm === (arch === 'arm64')) return [];
  const message = arm
    ? `instance type "${type}" is arm64 (Graviton) but architecture is ${arch}; ` +
      'use an x86 type such as t3.micro or set architecture: arm64'
    : `instance type "${type}" is x86 but architecture is arm64; ` +
      'use a Graviton type such as t4g.micro or change the architecture';
  return [{ path: ['targets', 'aws', 'instance_type'], at: 'value', message }];
}

/** Every semantic issue of a parsed spec (any shape), in no particular order. */
export function semanticIssues(data: unknown, context: SemanticContext): Issue[] {
  if (!isEntry(data)) return [];
  return [
    ...checkScripts(data, context.provisionersDir),
    ...checkFiles(data, context.filesDir),
    ...checkUnique(data, 'sources', 'source'),
    ...checkUnique(data, 'smoke', 'smoke test'),
    ...checkTargetLists(data),
    ...checkSchedule(data),
    ...checkPublish(data),
    ...checkPorts(data),
    ...checkInstanceArchitecture(data),
  ];
}
