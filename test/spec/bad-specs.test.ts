// Every bad spec in test/fixtures/bad-specs fails with exactly the lines in its .expected file.
import test, { type ExecutionContext } from 'ava';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatSpecProblem, SpecError } from '../../src/errors.js';
import { loadSpec } from '../../src/spec/load.js';

const fixtures = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures');
const badDir = path.join(fixtures, 'bad-specs');
process.env.AMIBAKE_PROVISIONERS_DIR = path.join(fixtures, 'specs/provisioners');

const names = readdirSync(badDir)
  .filter((f) => f.endsWith('.yaml'))
  .map((f) => f.slice(0, -'.yaml'.length))
  .sort();

async function failsWithExpectedLines(t: ExecutionContext, name: string): Promise<void> {
  const expectedFile = path.join(badDir, `${name}.expected`);
  const expected = readFileSync(expectedFile, 'utf8').trimEnd().split('\n');
  const error = await t.throwsAsync(loadSpec(name, badDir), { instanceOf: SpecError });
  const lines = (error as SpecError).problems.map((p) =>
    formatSpecProblem({ ...p, file: path.relative(badDir, path.resolve(p.file)) }),
  );
  t.deepEqual(lines, expected);
  t.is((error as SpecError).exitCode, 2);
}

const rejects = test.macro({
  exec: failsWithExpectedLines,
  title: (_title, name: string) => `bad spec ${name} is rejected with its expected problems`,
});

for (const name of names) test(rejects, name);

test('the bad-spec corpus has at least 24 cases, each with an .expected file', (t) => {
  t.true(names.length >= 24, `only ${names.length} bad specs`);
  const expected = readdirSync(badDir).filter((f) => f.endsWith('.expected'));
  t.deepEqual(expected.map((f) => f.slice(0, -'.expected'.length)).sort(), names);
});

test('a file with several mistakes lists all of them, in file order', async (t) => {
  const error = await t.throwsAsync(loadSpec('several-errors', badDir), { instanceOf: SpecError });
  const problems = (error as SpecError).problems;
  t.true(problems.length >= 8);
  const lines = problems.map((p) => p.line);
  t.deepEqual(lines, [...lines].sort((a, b) => a - b));
});
