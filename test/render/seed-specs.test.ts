// Every seed spec in images/, for each target it declares, renders to a build that Debian's
// Packer validates and formats as is, with scripts that pass bash -n and shellcheck.
import test from 'ava';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { loadSpec, parseSpec } from '../../src/spec/load.js';
import { renderBuild } from '../../src/render/render.js';
import { TARGETS, type LoadedSpec, type TargetName } from '../../src/spec/types.js';
import { imagesDir, provisionersDir } from '../../src/paths.js';
import { contextFor, hasCommand, packer166, packerEnv, run, tempDir } from './fixtures.js';

// Tests are declared synchronously, so the specs are read that way here.
const seeds = readdirSync(imagesDir())
  .filter((f) => f.endsWith('.yaml'))
  .sort()
  .map((f) => ({ name: f.replace(/\.yaml$/, ''), spec: parseSpec(readFileSync(path.join(imagesDir(), f), 'utf8'), path.join(imagesDir(), f)).spec }));
const withTools = hasCommand('packer') && hasCommand('shellcheck') ? test : test.skip;

async function renderSeed(loaded: LoadedSpec, target: TargetName) {
  const root = await tempDir(`seed-${loaded.name}-${target}`);
  const sourcesDir = path.join(root, 'staged-sources');
  await mkdir(sourcesDir, { recursive: true });
  for (const source of loaded.spec.sources ?? []) await writeFile(path.join(sourcesDir, source.name), '');
  const aws = { region: 'us-east-1', regions: ['us-east-1'], toolVersion: '0.1.0' };
  const ctx = await contextFor(target, root, packer166, {
    provisionersDir: provisionersDir(),
    sourcesDir,
    ...(target === 'aws' ? { aws } : {}),
  });
  return { root, result: await renderBuild(loaded, ctx) };
}

test('the four seed specs are all there and parse cleanly', (t) => {
  t.deepEqual(seeds.map((s) => s.name), ['drizzle-dev64', 'drizzle-intrepid-dev32', 'ubuntu804-lamp', 'wafflegrid']);
  for (const seed of seeds) t.truthy(seed.spec, `${seed.name} has spec problems`);
});

for (const seed of seeds) {
  for (const target of TARGETS.filter((x) => seed.spec?.targets[x])) {
    withTools(`${seed.name} (${target}): packer validate, fmt -check, bash -n and shellcheck pass`, async (t) => {
      const loaded = await loadSpec(seed.name);
      const { root, result } = await renderSeed(loaded, target);
      const opts = { env: packerEnv(root), cwd: result.dir };
      const validate = await run('packer', ['validate', 'build.pkr.hcl'], opts).catch((e) => e);
      t.is(validate.code ?? 0, 0, `${validate.stdout ?? ''}${validate.stderr ?? ''}`);
      const fmt = await run('packer', ['fmt', '-check', 'build.pkr.hcl'], opts).catch((e) => e);
      t.is(fmt.code ?? 0, 0, `packer fmt wants changes:\n${fmt.stdout ?? ''}`);

      const scripts = result.files.filter((f) => f.startsWith('scripts/')).map((f) => path.join(result.dir, f));
      const steps = (loaded.spec.steps ?? []).map((s) => path.join(provisionersDir(), `${s.script}.sh`));
      for (const script of [...scripts, ...steps]) {
        const syntax = await run('bash', ['-n', script]).catch((e) => e);
        t.is(syntax.code ?? 0, 0, `${script}: ${syntax.stderr ?? ''}`);
      }
      const lint = await run('shellcheck', [...scripts, ...new Set(steps)]).catch((e) => e);
      t.is(lint.code ?? 0, 0, lint.stdout ?? '');
    });
  }
}
