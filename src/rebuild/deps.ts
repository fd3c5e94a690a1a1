// The real collaborators of outdated/rebuild: AWS base lookups in the "state" phase, the
// region used when a spec publishes nowhere, and the local base recipe hash.
import { resolveBaseAmis } from '../aws/base-ami.js';
import { defaultRecipe, recipeHash } from '../local/recipe.js';
import type { LoadedSpec, TargetName } from '../spec/types.js';
import type { StateStore } from '../state/store.js';
import type { OutdatedDeps } from './outdated.js';

/** AWS_REGION, then AWS_DEFAULT_REGION, then us-east-1 (the SDK's profile region is not read). */
export function defaultRegion(env = process.env): string {
  return env.AWS_REGION || env.AWS_DEFAULT_REGION || 'us-east-1';
}

export function localRecipeHash(spec: LoadedSpec): string | undefined {
  const local = spec.spec.targets.local;
  return local ? recipeHash(defaultRecipe(local.release)) : undefined;
}

export function liveOutdatedDeps(store: StateStore, targets?: TargetName[]): OutdatedDeps {
  return {
    store,
    defaultRegion: defaultRegion(),
    resolveBaseAmis: (requests) => resolveBaseAmis(requests, { phase: 'state' }),
    localRecipeHash,
    ...(targets ? { targets } : {}),
  };
}
