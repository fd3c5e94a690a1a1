// Which of a spec's sources one target's bake needs. Sources carry no `targets` of their own,
// so a source is left out only when steps limited to other targets name it (in their vars or
// their script) and nothing this target runs does; a source no step names is kept, since a
// script may read the sources directory without naming its files.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Source, Spec, Step, TargetName } from '../spec/types.js';
import { provisionersDir } from '../paths.js';

export interface TargetSources {
  used: Source[];
  /** Sources only other targets' steps name, with those targets. */
  skipped: { source: Source; targets: TargetName[] }[];
}

export type ScriptReader = (script: string) => string;

// A missing script reads as empty: rendering reports it with its path.
export function readProvisioner(script: string): string {
  try {
    return readFileSync(path.join(provisionersDir(), `${script}.sh`), 'utf8');
  } catch {
    return '';
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

// The name as a whole token: "a.sql" is not named by "sakila-data.sql".
export function names(text: string, name: string): boolean {
  const edge = '[A-Za-z0-9._+-]';
  return new RegExp(`(?<!${edge})${escapeRegExp(name)}(?!${edge})`).test(text);
}

// Strictly (as a token) for other targets' steps, loosely (any substring: "${F:-name}") for
// this target's own, so a doubtful case keeps the source.
function stepNames(step: Step, name: string, read: ScriptReader, strict: boolean): boolean {
  const test = strict ? (text: string) => names(text, name) : (text: string) => text.includes(name);
  return Object.values(step.vars ?? {}).some(test) || test(read(step.script));
}

function runsOn(item: { targets?: TargetName[] }, target: TargetName): boolean {
  return !item.targets || item.targets.includes(target);
}

export function sourcesFor(
  spec: Spec,
  target: TargetName,
  read: ScriptReader = readProvisioner,
): TargetSources {
  const steps = spec.steps ?? [];
  const mine = steps.filter((s) => runsOn(s, target));
  const others = steps.filter((s) => !runsOn(s, target));
  const files = (spec.files ?? []).filter((f) => runsOn(f, target));
  const result: TargetSources = { used: [], skipped: [] };
  for (const source of spec.sources ?? []) {
    const here = mine.some((s) => stepNames(s, source.name, read, false)) ||
      files.some((f) => (f.content ?? '').includes(source.name));
    const elsewhere = others.filter((s) => stepNames(s, source.name, read, true));
    if (here || elsewhere.length === 0) {
      result.used.push(source);
      continue;
    }
    const targets = [...new Set(elsewhere.flatMap((s) => s.targets ?? []))].sort();
    result.skipped.push({ source, targets });
  }
  return result;
}
