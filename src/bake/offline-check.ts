// Which of a spec's local packages an offline guest lacks: those are fetched on the host.
// Known limit: the base is judged by its recipe's package list, so a package it holds only as
// a dependency (bash, openssh-client) is fetched again, which is harmless.
import type { LoadedSpec } from '../spec/types.js';
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
