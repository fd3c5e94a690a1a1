// What renderBuild writes: determinism, files, modes, stale files, missing inputs.
import test from 'ava';
import { readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { RenderError } from '../../src/errors.js';
import { renderBuild } from '../../src/render/render.js';
import { contextFor, loadFixture, packer166, tempDir } from './fixtures.js';
import { render } from './rendered.js';

test('rendering twice gives byte-identical files', async (t) => {
  const root = await tempDir('render-twice');
  for (const target of ['local', 'aws'] as const) {
    const ctx = await contextFor(target, root, packer166);
    const loaded = await loadFixture('lamp');
    const first = await renderBuild(loaded, ctx);
    const bytes = await Promise.all(first.files.map((f) => readFile(path.join(first.dir, f))));
    const second = await renderBuild(loaded, ctx);
    t.deepEqual(second.files, first.files);
    t.is(second.templateHash, first.templateHash);
    for (const [i, f] of second.files.entries()) {
      t.deepEqual(await readFile(path.join(second.dir, f)), bytes[i], f);
    }
  }
});

test('files are installed with mode and owner; content is written beside the build', async (t) => {
  const { read, result } = await render('lamp', 'aws');
  const script = await read('scripts/files.sh');
  t.true(script.includes(
    "install -D -m '0644' -- '/tmp/amibake/files/0-info.php' '/var/www/html/info.php'",
  ));
  t.true(script.includes("chown -- 'www-data:www-data' '/var/www/html/info.php'"));
  t.true(script.includes(
    "install -D -m '0600' -- '/tmp/amibake/files/2-aws_only.conf' '/etc/amibake/aws only.conf'",
  ));
  t.is(await read('files/0-info.php'), '<?php phpinfo();\n');
  t.true(result.files.includes('scripts/files.sh'));
});

test('scripts are executable, LF-only, with the bash shebang and strict mode', async (t) => {
  const { result } = await render('lamp', 'local');
  for (const file of result.files.filter((f) => f.startsWith('scripts/'))) {
    const full = path.join(result.dir, file);
    const text = await readFile(full, 'utf8');
    t.true(text.startsWith('#!/usr/bin/env bash\n'), file);
    t.regex(text, /\nset -euo pipefail\n/, file);
    t.false(text.includes('\r'), file);
    t.is((await stat(full)).mode & 0o111, 0o111, file);
  }
});

test('files a previous render left in scripts/ and files/ are removed', async (t) => {
  const { ctx, result } = await render('lamp', 'local');
  await writeFile(path.join(result.dir, 'scripts', 'stale.sh'), 'old');
  await writeFile(path.join(result.dir, 'keep-me.txt'), 'not ours');
  const again = await renderBuild(await loadFixture('lamp'), ctx);
  t.false(again.files.includes('scripts/stale.sh'));
  await t.throwsAsync(stat(path.join(result.dir, 'scripts', 'stale.sh')));
  await t.notThrowsAsync(stat(path.join(result.dir, 'keep-me.txt')));
});

test('missing inputs are RenderErrors that say what is missing', async (t) => {
  const root = await tempDir('render-missing');
  const lamp = await loadFixture('lamp');
  const noSources = { ...(await contextFor('local', root, packer166)), sourcesDir: undefined };
  await t.throwsAsync(renderBuild(lamp, noSources), {
    instanceOf: RenderError,
    message: /sources/,
  });
  const noSteps = await contextFor('local', root, packer166, { provisionersDir: root });
  await t.throwsAsync(renderBuild(lamp, noSteps), {
    instanceOf: RenderError,
    message: /web-setup\.sh does not exist/,
  });
  const bare = await loadFixture('bare');
  await t.throwsAsync(renderBuild(bare, await contextFor('aws', root, packer166)), {
    instanceOf: RenderError,
    message: /declares no aws target/,
  });
  const arm = { ...bare, spec: { ...bare.spec, architecture: 'arm64' as const } };
  await t.throwsAsync(renderBuild(arm, await contextFor('local', root, packer166)), {
    instanceOf: RenderError,
    message: /arm64/,
  });
});
