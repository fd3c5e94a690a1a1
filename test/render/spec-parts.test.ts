// The render's own last line of defence, for specs that did not pass through validate.
import test from 'ava';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { RenderError } from '../../src/errors.js';
import { renderBuild } from '../../src/render/render.js';
import { fileSourcePath } from '../../src/render/spec-parts.js';
import { contextFor, loadFixture, packer166, tempDir } from './fixtures.js';

test('a file source symlinked out of files/ is refused; one inside is followed', async (t) => {
  const root = await tempDir('spec-parts-link');
  const files = path.join(root, 'images', 'files');
  await mkdir(files, { recursive: true });
  await writeFile(path.join(root, 'credentials'), 'secret');
  await writeFile(path.join(files, 'motd'), 'hello');
  await symlink(path.join(root, 'credentials'), path.join(files, 'leak'));
  await symlink('motd', path.join(files, 'motd-link'));
  const spec = path.join(root, 'images', 'web.yaml');
  t.throws(() => fileSourcePath(spec, 'leak'), {
    instanceOf: RenderError,
    message: /is a symlink to \S+credentials, outside/,
  });
  t.is(fileSourcePath(spec, 'motd-link'), path.join(files, 'motd-link'));
});

test('an i386 spec is refused on the local target, whose base disk is amd64', async (t) => {
  const root = await tempDir('spec-parts-i386');
  const bare = await loadFixture('bare');
  const i386 = { ...bare, spec: { ...bare.spec, architecture: 'i386' as const } };
  await t.throwsAsync(renderBuild(i386, await contextFor('local', root, packer166)), {
    instanceOf: RenderError,
    message: /is i386; the local target bakes x86_64 only/,
  });
});
