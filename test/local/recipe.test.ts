import test from 'ava';
import {
  canonicalRecipeJson, defaultRecipe, packagesToInstall, recipeHash, REQUIRED_PACKAGES,
  validateRecipe, readHookScript,
} from '../../src/local/recipe.js';
import { BakeError } from '../../src/errors.js';

test('the same recipe hashes the same every time', (t) => {
  t.is(recipeHash(defaultRecipe()), recipeHash(defaultRecipe()));
  t.regex(recipeHash(defaultRecipe()), /^[0-9a-f]{64}$/);
});

test('package order and duplicates do not change the hash', (t) => {
  const recipe = defaultRecipe();
  const packages = [...recipe.packages].reverse().concat(recipe.packages[0]);
  const shuffled = { ...recipe, packages };
  t.is(recipeHash(shuffled), recipeHash(recipe));
  t.is(canonicalRecipeJson(shuffled), canonicalRecipeJson(recipe));
});

test('release, packages, user and the hook text each change the hash', (t) => {
  const base = recipeHash(defaultRecipe());
  const changed = [
    recipeHash(defaultRecipe('trixie')),
    recipeHash({ ...defaultRecipe(), packages: [...REQUIRED_PACKAGES, 'curl'] }),
    recipeHash({ ...defaultRecipe(), user: 'builder' }),
    recipeHash(defaultRecipe(), `${readHookScript()}\n# one more line\n`),
  ];
  for (const hash of changed) t.not(hash, base);
  t.is(new Set(changed).size, changed.length);
});

test('the required packages are always installed, extra ones after them', (t) => {
  const recipe = { ...defaultRecipe(), packages: ['curl', 'sudo'] };
  t.deepEqual(packagesToInstall(recipe), [...REQUIRED_PACKAGES, 'curl']);
});

test('a recipe with a bad package, arch or user is refused with every problem named', (t) => {
  const bad = {
    ...defaultRecipe(), arch: 'arm64' as 'x86_64', packages: ['Bad Name'], user: 'Root!',
  };
  const error = t.throws(() => validateRecipe(bad), { instanceOf: BakeError });
  t.regex(error!.message, /arch "arm64".*package "Bad Name".*user "Root!"/);
  t.notThrows(() => validateRecipe(defaultRecipe()));
});
