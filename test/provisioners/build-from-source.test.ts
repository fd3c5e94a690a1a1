// build-from-source.sh on a tiny autotools-shaped project made here: configure receives the
// flags, make's warnings are counted, install lands in the prefix, failures show the log.
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { hostPath, runScript, tempDir, writeExecutable } from './harness.js';

// configure records its arguments and writes a Makefile whose build prints two compiler-style
// warnings; MAKE_FAIL=1 in the environment makes the build fail.
const CONFIGURE = `#!/bin/sh
echo "$@" > configure.args
prefix=/usr/local
for a in "$@"; do case "$a" in --prefix=*) prefix="\${a#--prefix=}" ;; esac; done
cat > Makefile <<MK
all:
\t@echo "hello.c:3:5: warning: unused variable 'x'" >&2
\t@echo "hello.c:9:1: warning: control reaches end of non-void function" >&2
\t@test "\\$\\$MAKE_FAIL" != 1 || { echo "hello.c:12: error: boom" >&2; exit 1; }
\t@cat part.txt > hello
install:
\tmkdir -p $prefix/bin
\tcp hello $prefix/bin/hello
MK
`;

function makeArchive(dir: string, name: string, top: string, files: Record<string, string>) {
  const root = path.join(dir, 'pack', top);
  mkdirSync(root, { recursive: true });
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), text);
  }
  if (files.configure) writeExecutable(path.join(root, 'configure'), files.configure);
  const archive = path.join(dir, 'sources', name);
  const r = spawnSync('tar', ['-czf', archive, '-C', path.join(dir, 'pack'), top]);
  if (r.status !== 0) throw new Error(`tar failed: ${r.stderr}`);
}

function setup() {
  const t = tempDir('build');
  mkdirSync(path.join(t.dir, 'sources'));
  makeArchive(t.dir, 'hello-1.0.tar.gz', 'hello-1.0', {
    configure: CONFIGURE,
    'part.txt': 'from the main tree\n',
    'sub/part.txt': 'original sub dir\n',
  });
  const env = (extra: Record<string, string> = {}) => ({
    PATH: hostPath,
    AMIBAKE_SOURCES_DIR: path.join(t.dir, 'sources'),
    BUILD_ROOT: path.join(t.dir, 'src'),
    PREFIX: path.join(t.dir, 'prefix'),
    RUN_LDCONFIG: '0',
    MAKE_JOBS: '1',
    SOURCE: 'hello-1.0.tar.gz',
    ...extra,
  });
  return { ...t, env };
}

test('a build configures with the prefix and flags, installs, and reports 2 warnings', (t) => {
  const s = setup();
  try {
    const flags = { CONFIGURE_FLAGS: '--enable-foo --with-bar' };
    const run = runScript('build-from-source', s.env(flags));
    t.is(run.status, 0, run.stderr);
    const args = readFileSync(path.join(s.dir, 'src/hello-1.0/configure.args'), 'utf8').trim();
    t.is(args, `--prefix=${path.join(s.dir, 'prefix')} --enable-foo --with-bar`);
    t.true(existsSync(path.join(s.dir, 'prefix/bin/hello')));
    t.regex(run.stdout, /hello-1\.0: installed in \d+s; compiler warnings: 2 \(log: /);
    t.regex(run.stdout, /\/logs\/hello-1\.0-make\.log\)$/m);
  } finally {
    s.cleanup();
  }
});

test('a --prefix in CONFIGURE_FLAGS is used as given, not doubled', (t) => {
  const s = setup();
  try {
    const own = path.join(s.dir, 'own');
    const run = runScript('build-from-source', s.env({ CONFIGURE_FLAGS: `--prefix=${own}` }));
    t.is(run.status, 0, run.stderr);
    const args = readFileSync(path.join(s.dir, 'src/hello-1.0/configure.args'), 'utf8').trim();
    t.is(args, `--prefix=${own}`);
    t.true(existsSync(path.join(own, 'bin/hello')));
  } finally {
    s.cleanup();
  }
});

test('a failing make stops the step with the error shown and the log named', (t) => {
  const s = setup();
  try {
    const run = runScript('build-from-source', s.env({ MAKE_FAIL: '1', BUILD_NAME: 'hello' }));
    t.is(run.status, 1);
    t.regex(run.stderr, /hello\.c:12: error: boom/);
    t.regex(run.stderr, /hello: make failed after \d+s; full log: .*hello-make\.log/);
    t.false(existsSync(path.join(s.dir, 'prefix/bin/hello')));
  } finally {
    s.cleanup();
  }
});

test('an overlay archive replaces a directory of the tree before configure', (t) => {
  const s = setup();
  try {
    makeArchive(s.dir, 'overlay.tar.gz', 'overlay-top', { 'part.txt': 'from the overlay\n' });
    const run = runScript('build-from-source', s.env({
      OVERLAY_SOURCE: 'overlay.tar.gz',
      OVERLAY_DIR: 'sub',
      BOOTSTRAP_CMD: 'cp sub/part.txt part.txt',
    }));
    t.is(run.status, 0, run.stderr);
    t.is(readFileSync(path.join(s.dir, 'prefix/bin/hello'), 'utf8'), 'from the overlay\n');
  } finally {
    s.cleanup();
  }
});

test('a SOURCE that was not uploaded is named with the directory searched', (t) => {
  const s = setup();
  try {
    const run = runScript('build-from-source', s.env({ SOURCE: 'mysql-5.1.30.tar.gz' }));
    t.is(run.status, 1);
    t.regex(run.stderr, /mysql-5\.1\.30\.tar\.gz not found in .*sources; list it in the spec/);
  } finally {
    s.cleanup();
  }
});

test('rebuilding starts from a fresh tree, so a repeated step does not build stale files', (t) => {
  const s = setup();
  try {
    t.is(runScript('build-from-source', s.env()).status, 0);
    writeFileSync(path.join(s.dir, 'src/hello-1.0/stale.o'), 'old');
    t.is(runScript('build-from-source', s.env()).status, 0);
    t.false(existsSync(path.join(s.dir, 'src/hello-1.0/stale.o')));
  } finally {
    s.cleanup();
  }
});
