// An offline local bake has no package mirror: its guest can install only what the base disk
// already holds, so a spec asking for more is refused before any VM boots, instead of after a
// boot with apt's "Unable to locate package".
// Known limit: the base is judged by its recipe's package list; a package it holds only as a
// dependency (bash, openssh-client) is refused too: leave it out of the spec.
import type { LoadedSpec } from '../spec/types.js';
import { BakeError } from '../errors.js';
import { packagesToInstall, type BaseRecipe } from '../local/recipe.js';
import { targetPackages } from '../render/spec-parts.js';

// "mariadb-server=1:10.11" and "memcached/bookworm" name the packages before = and /.
function packageName(entry: string): string {
  return entry.split(/[=/]/)[0];
}

export function packagesMissingOffline(loaded: LoadedSpec, recipe: BaseRecipe): string[] {
  const inBase = new Set(packagesToInstall(recipe));
  return targetPackages(loaded.spec, 'local').filter((p) => !inBase.has(packageName(p)));
}

export function checkOfflinePackages(loaded: LoadedSpec, recipe: BaseRecipe): void {
  const missing = packagesMissingOffline(loaded, recipe);
  if (missing.length === 0) return;
  throw new BakeError(
    `--offline: ${loaded.name} installs packages its base disk lacks (${missing.join(', ')}) ` +
      'and an offline guest cannot download them',
    { hint: 'bake without --offline (sources are still fetched and checked on the host)' },
  );
}
