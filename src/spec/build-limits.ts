// Checks what a render, Packer, Linux or AWS would refuse only later (after minutes of baking),
// so validate reports it at the spec line: reserved names, Packer's own template syntax, sizes
// and limits, and combinations the targets cannot build. Reads the raw YAML data defensively.
import type { Issue, Segment } from './positions.js';

type Entry = Record<string, unknown>;

/** Step variables amibake sets itself; a spec may not set them. */
export const RESERVED_VAR = /^(AMIBAKE_|DEBIAN_FRONTEND$)/;

/**
 * The most bytes one step's variables may take on Packer's command line. Packer runs each step
 * as one `sh -c` string holding every variable, and Linux caps one argument at 128 KiB
 * (MAX_ARG_STRLEN); 4 KiB stay free for the command itself and amibake's own variables.
 */
export const MAX_STEP_VARS_BYTES = 128 * 1024 - 4 * 1024;

/** AWS limits: AMI description length, tags per resource. */
export const MAX_AMI_DESCRIPTION = 255;
export const MAX_TAGS = 50;
/** Tags amibake itself writes beside the spec's: Name and the five amibake: keys. */
export const AMIBAKE_TAG_COUNT = 6;

function isEntry(value: unknown): value is Entry {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function entries(value: unknown): [number, Entry][] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((item, i): [number, Entry][] => (isEntry(item) ? [[i, item]] : []));
}

function awsTarget(spec: Entry): Entry | undefined {
  const aws = isEntry(spec.targets) ? spec.targets.aws : undefined;
  return isEntry(aws) ? aws : undefined;
}

// How Packer 1.6 writes one variable into {{ .Vars }}: KEY='value' with ' as '"'"'.
function flattenedBytes(name: string, value: string): number {
  return Buffer.byteLength(`${name}='${value.replace(/'/g, `'"'"'`)}' `);
}

function checkStepVars(spec: Entry): Issue[] {
  const issues: Issue[] = [];
  for (const [i, step] of entries(spec.steps)) {
    if (!isEntry(step.vars)) continue;
    let bytes = 0;
    for (const [name, value] of Object.entries(step.vars)) {
      if (RESERVED_VAR.test(name)) {
        const message = `variable "${name}" is set by amibake itself; choose another name`;
        issues.push({ path: ['steps', i, 'vars', name], at: 'key', message });
      }
      if (typeof value === 'string') bytes += flattenedBytes(name, value);
    }
    if (bytes > MAX_STEP_VARS_BYTES) {
      const message = `the variables take ${bytes} bytes on Packer's command line, over the ` +
        `${MAX_STEP_VARS_BYTES} Linux allows there; put large values in a file (files:) instead`;
      issues.push({ path: ['steps', i, 'vars'], at: 'key', message });
    }
  }
  return issues;
}

// Packer runs Go templates over the strings it reads, so `{{` in them would be executed.
function goTemplateIssue(path: Segment[], value: unknown, at: Issue['at'] = 'value'): Issue[] {
  if (typeof value !== 'string' || !value.includes('{{')) return [];
  const message = 'contains "{{", which Packer would run as its own template; remove it';
  return [{ path, at, message }];
}

function checkPackerStrings(spec: Entry): Issue[] {
  const issues = [...goTemplateIssue(['description'], spec.description)];
  const base = awsTarget(spec)?.base;
  if (isEntry(base)) {
    issues.push(...goTemplateIssue(['targets', 'aws', 'base', 'name_filter'], base.name_filter));
  }
  for (const [i, step] of entries(spec.steps)) {
    if (!isEntry(step.vars)) continue;
    for (const [name, value] of Object.entries(step.vars)) {
      issues.push(...goTemplateIssue(['steps', i, 'vars', name], value));
    }
  }
  for (const [i, file] of entries(spec.files)) {
    issues.push(...goTemplateIssue(['files', i, 'source'], file.source));
  }
  const tags = isEntry(spec.publish) ? spec.publish.tags : undefined;
  if (isEntry(tags)) {
    for (const [key, value] of Object.entries(tags)) {
      issues.push(...goTemplateIssue(['publish', 'tags', key], key, 'key'));
      issues.push(...goTemplateIssue(['publish', 'tags', key], value));
    }
  }
  return issues;
}

function checkTags(spec: Entry): Issue[] {
  const tags = isEntry(spec.publish) ? spec.publish.tags : undefined;
  if (!isEntry(tags)) return [];
  const issues: Issue[] = [];
  for (const key of Object.keys(tags)) {
    const prefix = /^(amibake|aws):/i.exec(key)?.[1].toLowerCase();
    if (!prefix) continue;
    const owner = prefix === 'aws' ? 'AWS' : 'amibake';
    const message = `tag keys starting with "${prefix}:" are reserved for ${owner}; rename it`;
    issues.push({ path: ['publish', 'tags', key], at: 'key', message });
  }
  const own = Object.keys(tags).filter((key) => key !== 'Name').length;
  const room = MAX_TAGS - AMIBAKE_TAG_COUNT;
  if (own > room) {
    const message = `AWS allows ${MAX_TAGS} tags and amibake writes ${AMIBAKE_TAG_COUNT}, ` +
      `so at most ${room} may come from the spec (found: ${own})`;
    issues.push({ path: ['publish', 'tags'], at: 'key', message });
  }
  return issues;
}

function checkDescription(spec: Entry): Issue[] {
  if (!awsTarget(spec) || typeof spec.description !== 'string') return [];
  const length = Array.from(spec.description).length;
  if (length <= MAX_AMI_DESCRIPTION) return [];
  const message = `AWS limits an AMI description to ${MAX_AMI_DESCRIPTION} characters ` +
    `(found: ${length}); shorten it`;
  return [{ path: ['description'], at: 'value', message }];
}

function checkSha256Case(spec: Entry): Issue[] {
  return entries(spec.sources).flatMap(([i, source]): Issue[] => {
    const sum = source.sha256;
    if (typeof sum !== 'string' || !/^[0-9a-fA-F]{64}$/.test(sum) || sum === sum.toLowerCase()) {
      return [];
    }
    const message = 'write the sha256 in lower case; downloads are compared with it as written';
    return [{ path: ['sources', i, 'sha256'], at: 'value', message }];
  });
}

function checkFileDestinations(spec: Entry): Issue[] {
  return entries(spec.files).flatMap(([i, file]): Issue[] => {
    const destination = file.destination;
    if (typeof destination !== 'string' || !destination.startsWith('/')) return [];
    if (!destination.endsWith('/')) return [];
    const message = `expected a file path, not a directory (found: ${destination}); ` +
      'name the file, e.g. /etc/motd';
    return [{ path: ['files', i, 'destination'], at: 'value', message }];
  });
}

// The local base disk is Debian amd64 (src/local/recipe.ts): no other architecture bakes there.
function checkLocalArchitecture(spec: Entry): Issue[] {
  const local = isEntry(spec.targets) ? spec.targets.local : undefined;
  const arch = spec.architecture;
  // Other values than these are schema errors already.
  if (local === undefined || (arch !== 'i386' && arch !== 'arm64')) return [];
  const message = `the local target bakes x86_64 guests only (its base disk is Debian amd64), ` +
    `but architecture is ${arch}; remove targets.local or use x86_64`;
  return [{ path: ['targets', 'local'], at: 'key', message }];
}

function checkDebconfNeedsApt(spec: Entry): Issue[] {
  const base = awsTarget(spec)?.base;
  const debconf = spec.debconf;
  if (!isEntry(base) || base.distro !== 'amazon') return [];
  if (!Array.isArray(debconf) || debconf.length === 0) return [];
  const message = 'debconf answers need apt, but the aws base is amazon (yum); ' +
    'remove debconf or use an ubuntu or debian base';
  return [{ path: ['debconf'], at: 'key', message }];
}

// A NUL ends a C string: in a command line or script the value would be cut short, and Packer's
// SSH session was seen to hang for minutes on one. File content is written as bytes, so it may.
function nulIssues(value: unknown, path: Segment[], out: Issue[]): void {
  if (typeof value === 'string') {
    const content = path.length === 3 && path[0] === 'files' && path[2] === 'content';
    if (value.includes('\0') && !content) {
      const message = 'contains a NUL byte (\\0), which no command line or script can carry; ' +
        'remove it';
      out.push({ path, at: 'value', message });
    }
  } else if (Array.isArray(value)) {
    value.forEach((item, i) => nulIssues(item, [...path, i], out));
  } else if (isEntry(value)) {
    for (const [key, item] of Object.entries(value)) nulIssues(item, [...path, key], out);
  }
}

function checkNul(spec: Entry): Issue[] {
  const out: Issue[] = [];
  nulIssues(spec, [], out);
  return out;
}

/** Every issue a later stage would raise, in no particular order. */
export function buildLimitIssues(data: unknown): Issue[] {
  if (!isEntry(data)) return [];
  return [
    ...checkStepVars(data),
    ...checkPackerStrings(data),
    ...checkTags(data),
    ...checkDescription(data),
    ...checkSha256Case(data),
    ...checkFileDestinations(data),
    ...checkLocalArchitecture(data),
    ...checkDebconfNeedsApt(data),
    ...checkNul(data),
  ];
}
