// Decides which (image, target) pairs need a rebuild: never built, last build failed or not
// verified, spec
// changed, or a base changed (AWS: the newest base AMI in each region the last build took its
// base from; local: the base recipe). The store is read first, then every AWS base is resolved
// in one batch: one lookup per distinct (region, owners, filter).
import type { AwsError } from '../errors.js';
import type { BuildManifest, BuildStatus } from '../manifest-types.js';
import type { LoadedSpec, TargetName } from '../spec/types.js';
import { TARGETS } from '../spec/types.js';
import type { BaseAmiRequest, BatchResolution, ResolvedAmi } from '../aws/base-ami.js';
import type { StateStore } from '../state/store.js';
import { latestFinished, latestSucceeded } from '../state/state-index.js';

export type StaleReason =
  | { kind: 'never_built' }
  | { kind: 'last_failed'; build_id: string; status: BuildStatus; reason?: string }
  | { kind: 'spec_changed'; build_id: string; old: string; new: string }
  | { kind: 'base_changed'; build_id: string; region: string; old: string | null; new: string }
  | { kind: 'base_recipe_changed'; build_id: string; old: string | null; new: string }
  | { kind: 'not_verified'; build_id: string; verification: 'failed' | 'missing' };

export interface OutdatedEntry {
  image: string;
  target: TargetName;
  stale: boolean;
  reasons: StaleReason[];
  /** The last successful build compared against, if any. */
  last_succeeded?: string;
  current: { spec_hash: string; base?: Record<string, string>; recipe_hash?: string };
  /** Why the check could not finish (e.g. the base no longer resolves); stale is then unknown. */
  error?: string;
}

export interface OutdatedReport {
  entries: OutdatedEntry[];
  /** Lookups the batch made: DescribeImages and SSM GetParameter calls. */
  calls: BatchResolution['calls'];
}

export interface OutdatedDeps {
  store: StateStore;
  resolveBaseAmis: (requests: BaseAmiRequest[]) => Promise<BatchResolution>;
  /** Region for specs without publish.regions. */
  defaultRegion: string;
  /** The local base recipe hash a bake of this spec would use now, when known. */
  localRecipeHash?: (spec: LoadedSpec) => string | undefined;
  /** Only these targets (default: every target each spec declares). */
  targets?: TargetName[];
}

/** The regions a spec publishes to, else the default region. */
export function regionsOf(spec: LoadedSpec, defaultRegion: string): string[] {
  const regions = spec.spec.publish?.regions ?? [];
  return regions.length > 0 ? [...new Set(regions)] : [defaultRegion];
}

function pairsToCheck(specs: LoadedSpec[], targets?: TargetName[]) {
  return specs.flatMap((spec) =>
    TARGETS.filter((t) => spec.spec.targets[t] && (!targets || targets.includes(t))).map(
      (target) => ({ spec, target }),
    ),
  );
}

/** What the store says about one (image, target): the builds a verdict depends on. */
interface History {
  spec: LoadedSpec;
  target: TargetName;
  finished?: BuildManifest;
  succeeded?: BuildManifest;
}

async function readHistory(spec: LoadedSpec, target: TargetName, store: StateStore) {
  const index = await store.index(spec.name);
  const finishedEntry = latestFinished(index, target);
  const succeededEntry = latestSucceeded(index, target);
  const history: History = { spec, target };
  if (finishedEntry) history.finished = await store.get(spec.name, finishedEntry.build_id);
  if (succeededEntry) history.succeeded = await store.get(spec.name, succeededEntry.build_id);
  return history;
}

/**
 * Where to look the base up: the regions the last good build took a base from (a bake copies
 * one region's AMI to the others, so only its build region's base matters); with no such
 * record, the publish regions or the default region.
 */
function baseRegions(h: History, defaultRegion: string): string[] {
  const recorded = Object.keys(h.succeeded?.base?.ami ?? {});
  return recorded.length > 0 ? recorded.sort() : regionsOf(h.spec, defaultRegion);
}

type Resolved = Map<string, ResolvedAmi | AwsError>;

async function resolveAll(
  histories: History[],
  deps: OutdatedDeps,
): Promise<[Resolved[], OutdatedReport['calls']]> {
  const requests = histories.map((h) => {
    const aws = h.target === 'aws' ? h.spec.spec.targets.aws : undefined;
    if (!aws) return [];
    const arch = h.spec.spec.architecture;
    return baseRegions(h, deps.defaultRegion).map((region) => ({ base: aws.base, arch, region }));
  });
  const flat = requests.flat();
  const none = { describeImages: 0, getParameter: 0 };
  const batch = flat.length > 0 ? await deps.resolveBaseAmis(flat) : { results: [], calls: none };
  let next = 0;
  const resolved = requests.map((list) => {
    const perRegion: Resolved = new Map();
    for (const req of list) perRegion.set(req.region, batch.results[next++]);
    return perRegion;
  });
  return [resolved, batch.calls];
}

// Records the bases resolved now; a region whose lookup failed makes the entry an error.
function recordBases(entry: OutdatedEntry, resolved: Resolved): void {
  const current: Record<string, string> = {};
  const errors: string[] = [];
  for (const [region, result] of resolved) {
    if (result instanceof Error) errors.push(result.message);
    else current[region] = result.imageId;
  }
  entry.current.base = current;
  if (errors.length > 0) entry.error = errors.join('; ');
}

// A checked region the last build did not record counts as changed (old: null).
function compareBases(entry: OutdatedEntry, last: BuildManifest): void {
  for (const [region, now] of Object.entries(entry.current.base ?? {})) {
    const old = last.base?.ami?.[region] ?? null;
    if (old !== now) {
      entry.reasons.push({ kind: 'base_changed', build_id: last.build_id, region, old, new: now });
    }
  }
}

function judge(h: History, resolved: Resolved, deps: OutdatedDeps): OutdatedEntry {
  const { spec, target, finished, succeeded: last } = h;
  const entry: OutdatedEntry = {
    image: spec.name,
    target,
    stale: false,
    reasons: [],
    current: { spec_hash: spec.hash },
  };
  if (target === 'aws') recordBases(entry, resolved);
  const recipe = target === 'local' ? deps.localRecipeHash?.(spec) : undefined;
  if (recipe) entry.current.recipe_hash = recipe;

  // Only running builds (or none) means nothing usable was ever built.
  if (!finished && !last) entry.reasons.push({ kind: 'never_built' });
  if (finished && finished.status !== 'succeeded') {
    const { build_id, status, reason } = finished;
    entry.reasons.push({ kind: 'last_failed', build_id, status, ...(reason ? { reason } : {}) });
  }
  // A bake that was never proven (verification failed, or never ran) is not a current image.
  if (finished?.status === 'succeeded' && finished.verification?.status !== 'passed') {
    const verification = finished.verification ? 'failed' : 'missing';
    entry.reasons.push({ kind: 'not_verified', build_id: finished.build_id, verification });
  }
  if (last) {
    entry.last_succeeded = last.build_id;
    if (last.spec_hash !== spec.hash) {
      const change = { build_id: last.build_id, old: last.spec_hash, new: spec.hash };
      entry.reasons.push({ kind: 'spec_changed', ...change });
    }
    if (target === 'aws') compareBases(entry, last);
    if (recipe && last.base?.recipe_hash !== recipe) {
      const old = last.base?.recipe_hash ?? null;
      const change = { build_id: last.build_id, old, new: recipe };
      entry.reasons.push({ kind: 'base_recipe_changed', ...change });
    }
  }
  entry.stale = entry.reasons.length > 0;
  return entry;
}

/** Checks every (spec, target) pair against the store; AWS bases resolved in one batch. */
export async function checkOutdated(
  specs: LoadedSpec[],
  deps: OutdatedDeps,
): Promise<OutdatedReport> {
  const pairs = pairsToCheck(specs, deps.targets);
  const histories = await Promise.all(
    pairs.map(({ spec, target }) => readHistory(spec, target, deps.store)),
  );
  const [resolved, calls] = await resolveAll(histories, deps);
  const entries = histories.map((h, i) => judge(h, resolved[i], deps));
  return { entries, calls };
}
