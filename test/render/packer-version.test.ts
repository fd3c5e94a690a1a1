import test from 'ava';
import { execFileSync } from 'node:child_process';
import { PackerError } from '../../src/errors.js';
import { detectPacker, parsePackerVersion } from '../../src/render/packer-version.js';
import { hasCommand, tempDir } from './fixtures.js';

// Tests that change process.env run one after another.
const serial = test.serial;

serial.afterEach(() => {
  delete process.env.AMIBAKE_PACKER_VERSION;
});

test('versions parse from the banner and bare forms; 1.7 and later are modern', (t) => {
  t.deepEqual(parsePackerVersion('Packer v1.6.6\n'), {
    version: '1.6.6', major: 1, minor: 6, patch: 6, modern: false,
  });
  t.true(parsePackerVersion('1.7.0')?.modern);
  t.true(parsePackerVersion('v1.11.2')?.modern);
  t.true(parsePackerVersion('2.0.0')?.modern);
  t.is(parsePackerVersion('packer'), undefined);
});

serial('AMIBAKE_PACKER_VERSION overrides detection', async (t) => {
  process.env.AMIBAKE_PACKER_VERSION = '1.9.4';
  const info = await detectPacker();
  t.is(info.version, '1.9.4');
  t.true(info.modern);
});

serial('a malformed override is a PackerError', async (t) => {
  process.env.AMIBAKE_PACKER_VERSION = 'latest';
  await t.throwsAsync(detectPacker(), {
    instanceOf: PackerError,
    message: /AMIBAKE_PACKER_VERSION/,
  });
});

serial('a missing packer says how to install it', async (t) => {
  const emptyPath = await tempDir('nopath');
  const saved = process.env.PATH;
  process.env.PATH = emptyPath;
  try {
    const error = await t.throwsAsync(detectPacker(), { instanceOf: PackerError });
    t.regex(`${error?.message} ${error?.hint}`, /apt-get install packer/);
  } finally {
    process.env.PATH = saved;
  }
});

const withPacker = hasCommand('packer') ? serial : serial.skip;

withPacker('the installed packer is detected by running it', async (t) => {
  const info = await detectPacker();
  const env = { ...process.env, CHECKPOINT_DISABLE: '1' };
  const banner = execFileSync('packer', ['version'], { env });
  t.true(banner.toString().includes(`v${info.version}`));
  t.is(info.modern, info.major > 1 || info.minor >= 7);
});
