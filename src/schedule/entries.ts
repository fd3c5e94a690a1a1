// What to schedule: one rebuild per spec that has rebuild.schedule, and the exact amibake
// command line (absolute node and bin paths) a cron job or a systemd unit runs for it.
import path from 'node:path';
import { buildRoot, repoRoot } from '../paths.js';
import type { LoadedSpec, TargetName } from '../spec/types.js';
import { TARGETS } from '../spec/types.js';

export interface ScheduledRebuild {
  image: string;
  cron: string;
  /** The targets rebuilt; a single one is passed as --target, all of a spec's as nothing. */
  targets: TargetName[];
  allTargets: boolean;
  publish: boolean;
}

export interface HostContext {
  /** Absolute node binary and amibake entry point, so no PATH lookup is needed. */
  node: string;
  bin: string;
  repo: string;
  /** Environment the scheduled run needs to see the same specs and state as now. */
  env: Record<string, string>;
  logDir: string;
}

export function scheduledRebuilds(specs: LoadedSpec[], only?: TargetName[]): ScheduledRebuild[] {
  const out: ScheduledRebuild[] = [];
  for (const { name, spec } of [...specs].sort((a, b) => a.name.localeCompare(b.name))) {
    const schedule = spec.rebuild?.schedule;
    if (!schedule) continue;
    const declared = TARGETS.filter((t) => spec.targets[t]);
    const targets = declared.filter((t) => !only || only.includes(t));
    if (targets.length === 0) continue;
    out.push({
      image: name,
      cron: schedule.trim().split(/\s+/).join(' '),
      targets,
      allTargets: targets.length === declared.length,
      publish: spec.publish !== undefined,
    });
  }
  return out;
}

export function rebuildArgs(entry: ScheduledRebuild, state?: string): string[] {
  return [
    'rebuild',
    '--stale',
    entry.image,
    ...(entry.allTargets ? [] : entry.targets.flatMap((t) => ['--target', t])),
    ...(entry.publish ? ['--publish'] : []),
    ...(state ? ['--state', state] : []),
  ];
}

// Paths (made absolute, since the run starts elsewhere) and values a scheduled run needs to do
// what a run from this shell would: without the source mirror a spec whose sources cannot be
// downloaded (Sakila) always fails; without the SSH CIDR no aws rebuild can be verified.
const CARRIED_PATHS = [
  'AMIBAKE_IMAGES_DIR', 'AMIBAKE_BUILD_DIR', 'AMIBAKE_CACHE_DIR', 'AMIBAKE_STATE',
];
const CARRIED_LISTS = ['AMIBAKE_SOURCE_MIRROR'];
const CARRIED_VALUES = ['AMIBAKE_SSH_CIDR'];

function absolute(value: string): string {
  return path.isAbsolute(value) || value.includes('://') ? value : path.resolve(value);
}

/** This checkout as the scheduled runs will see it; AMIBAKE_* settings are carried over. */
export function hostContext(env = process.env): HostContext {
  const carried: Record<string, string> = {};
  for (const name of [...CARRIED_PATHS, ...CARRIED_LISTS, ...CARRIED_VALUES]) {
    const value = env[name];
    if (!value) continue;
    if (CARRIED_PATHS.includes(name)) carried[name] = absolute(value);
    else if (CARRIED_LISTS.includes(name)) {
      carried[name] = value.split(':').filter((d) => d !== '').map(absolute).join(':');
    } else carried[name] = value;
  }
  return {
    node: process.execPath,
    bin: path.join(repoRoot, 'bin', 'amibake.js'),
    repo: repoRoot,
    env: carried,
    logDir: path.join(buildRoot(), 'logs'),
  };
}
