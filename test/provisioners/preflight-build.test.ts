// preflight-build.sh, really run here: a fake PATH dir and a fake include dir decide what is
// present; a deliberate gap must be reported in full, at once, within seconds.
import test from 'ava';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { hostPath, runScript, tempDir, writeExecutable } from './harness.js';

// A PATH dir with stub tools and an include dir with stub headers.
function fakeToolchain(dir: string, tools: string[], headers: string[]) {
  const bin = path.join(dir, 'bin');
  const include = path.join(dir, 'include');
  mkdirSync(bin);
  for (const tool of tools) writeExecutable(path.join(bin, tool), '#!/bin/sh\nexit 0\n');
  for (const header of headers) {
    mkdirSync(path.dirname(path.join(include, header)), { recursive: true });
    writeFileSync(path.join(include, header), '/* stub */\n');
  }
  return { bin, include };
}

const TOOLS = 'gcc g++ make bison|yacc automake autoconf libtoolize pkg-config';
const HEADERS = 'ncurses.h|curses.h zlib.h readline/readline.h';

test('every missing tool and header is listed in one failure, within seconds', (t) => {
  const { dir, cleanup } = tempDir('preflight');
  try {
    // Present: gcc, make, yacc (for bison|yacc), autoconf; zlib.h only.
    const { bin, include } = fakeToolchain(dir, ['gcc', 'make', 'yacc', 'autoconf'], ['zlib.h']);
    const run = runScript('preflight-build', {
      PATH: bin,
      REQUIRED_TOOLS: TOOLS,
      REQUIRED_HEADERS: HEADERS,
      HEADER_DIRS: include,
      BUILD_NAME: 'mysql 5.1',
    });
    t.is(run.status, 1);
    t.true(run.ms < 3000, `took ${run.ms} ms`);
    t.log(`preflight failed in ${run.ms} ms`);
    t.regex(run.stderr, /mysql 5\.1 cannot start/);
    t.regex(run.stderr, /missing tools \(4\): g\+\+ automake libtoolize pkg-config$/m);
    t.regex(run.stderr, /missing headers \(2\): ncurses\.h\|curses\.h readline\/readline\.h$/m);
    t.notRegex(run.stderr, /\bgcc\b|\bbison\|yacc\b|zlib\.h/);
  } finally {
    cleanup();
  }
});

test('it passes when every tool and header, or one of its alternatives, is present', (t) => {
  const { dir, cleanup } = tempDir('preflight');
  try {
    const tools = ['gcc', 'g++', 'make', 'bison', 'automake', 'autoconf', 'libtoolize'];
    const headers = ['curses.h', 'zlib.h', 'readline/readline.h'];
    const { bin, include } = fakeToolchain(dir, [...tools, 'pkg-config'], headers);
    const run = runScript('preflight-build', {
      PATH: bin,
      REQUIRED_TOOLS: TOOLS,
      REQUIRED_HEADERS: HEADERS,
      HEADER_DIRS: include,
    });
    t.is(run.status, 0, run.stderr);
    t.regex(run.stdout, /all 8 tools and 3 headers present/);
    t.is(run.stderr, '');
  } finally {
    cleanup();
  }
});

test('on this host with its own PATH and include dirs, only the planted gaps fail', (t) => {
  const { dir, cleanup } = tempDir('preflight');
  try {
    const { bin } = fakeToolchain(dir, ['amibake-fake-present'], []);
    const run = runScript('preflight-build', {
      PATH: `${bin}:${hostPath}`,
      REQUIRED_TOOLS: 'bash tar make gcc amibake-fake-present amibake-no-such-tool',
      REQUIRED_HEADERS: 'stdio.h amibake/no-such-header.h',
    });
    t.is(run.status, 1);
    t.true(run.ms < 3000, `took ${run.ms} ms`);
    t.log(`preflight failed in ${run.ms} ms`);
    t.regex(run.stderr, /missing tools \(1\): amibake-no-such-tool$/m);
    t.regex(run.stderr, /missing headers \(1\): amibake\/no-such-header\.h$/m);
    t.regex(run.stderr, /headers searched in: \/usr\/local\/include \/usr\/include/);
  } finally {
    cleanup();
  }
});

test('empty requirement lists are a usage error, not a silent pass', (t) => {
  const run = runScript('preflight-build', { PATH: hostPath });
  t.is(run.status, 2);
  t.regex(run.stderr, /REQUIRED_TOOLS and REQUIRED_HEADERS are both empty/);
});

test('lists written one per line, as a YAML block gives them, are read whole', (t) => {
  const { dir, cleanup } = tempDir('preflight');
  try {
    const { bin, include } = fakeToolchain(dir, ['gcc'], []);
    const run = runScript('preflight-build', {
      PATH: bin,
      REQUIRED_TOOLS: 'gcc\nmake\nbison\n',
      REQUIRED_HEADERS: 'zlib.h\npcre.h\n',
      HEADER_DIRS: include,
    });
    t.is(run.status, 1);
    t.regex(run.stderr, /missing tools \(2\): make bison$/m);
    t.regex(run.stderr, /missing headers \(2\): zlib\.h pcre\.h$/m);
  } finally {
    cleanup();
  }
});
