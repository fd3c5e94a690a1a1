// What a base disk is made of, and the hash that names it: recipe + customise hook + builder.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BakeError } from '../errors.js';
import { sha256 } from '../util/fs.js';

export interface BaseRecipe {
  release: string;
  arch: 'x86_64';
  packages: string[];
  user: string;
}

// The base must boot and accept SSH; a recipe's own packages come on top of these.
export const REQUIRED_PACKAGES = [
  'linux-image-amd64',
  'systemd-sysv',
  'udev',
  'openssh-server',
  'sudo',
  'iproute2',
  'dbus',
  'ca-certificates',
];

// Settings of the build steps that shape the disk; bump `builder` when those steps change.
export const BUILD_SETTINGS = { builder: 1, diskGiB: 6, filesystem: 'ext4', variant: 'minbase' };

export const hookScriptPath = path.join(
  path.dirname(fileURLToPath(import.meta.url)),
  'base-customise.sh',
);

export function defaultRecipe(release = 'bookworm'): BaseRecipe {
  return { release, arch: 'x86_64', packages: [...REQUIRED_PACKAGES], user: 'amibake' };
}

// Every package the build installs: required ones first, then the recipe's, each once.
export function packagesToInstall(recipe: BaseRecipe): string[] {
  return [...new Set([...REQUIRED_PACKAGES, ...recipe.packages])];
}

export function validateRecipe(recipe: BaseRecipe): void {
  const problems: string[] = [];
  if (!/^[a-z]+$/.test(recipe.release)) {
    problems.push(`release "${recipe.release}" is not a codename`);
  }
  if (recipe.arch !== 'x86_64') problems.push(`arch "${String(recipe.arch)}" is not x86_64`);
  for (const name of recipe.packages) {
    if (!/^[a-z0-9][a-z0-9+.-]+$/.test(name)) {
      problems.push(`package "${name}" is not a Debian name`);
    }
  }
  if (!/^[a-z_][a-z0-9_-]{0,31}$/.test(recipe.user)) {
    problems.push(`user "${recipe.user}" is invalid`);
  }
  if (problems.length > 0) {
    throw new BakeError(`base recipe: ${problems.join('; ')}`, {
      hint: 'use a Debian codename, arch x86_64, Debian package names and a lowercase user name',
    });
  }
}

// Key order fixed and packages sorted, so equal recipes give equal text.
export function canonicalRecipeJson(recipe: BaseRecipe): string {
  return JSON.stringify({
    arch: recipe.arch,
    build: BUILD_SETTINGS,
    packages: [...new Set(recipe.packages)].sort(),
    release: recipe.release,
    user: recipe.user,
  });
}

export function recipeHash(recipe: BaseRecipe, hookText = readHookScript()): string {
  return sha256(`${canonicalRecipeJson(recipe)}\n${hookText}`);
}

export function readHookScript(): string {
  return readFileSync(hookScriptPath, 'utf8');
}
