// How outdated and rebuild print what they found: JSON that says "stale" when any image is,
// and table cells of one line even for a preflight's many-line failure.
import test from 'ava';
import { outdatedExitCode, outdatedJson } from '../../src/cli/commands/outdated.js';
import { EXIT } from '../../src/errors.js';
import { describeEntry, describeReason } from '../../src/rebuild/describe.js';
import type { OutdatedEntry, OutdatedReport } from '../../src/rebuild/outdated.js';

const stale: OutdatedEntry = {
  image: 'web', target: 'aws', stale: true, reasons: [{ kind: 'never_built' }],
  current: { spec_hash: 'a'.repeat(64) },
};
const broken: OutdatedEntry = {
  image: 'db', target: 'aws', stale: false, reasons: [],
  current: { spec_hash: 'b'.repeat(64) }, error: 'no base AMI in us-east-1:\n  nothing matched',
};

test('JSON says stale when an image is stale, even when another check failed', (t) => {
  const calls = { describeImages: 1, getParameter: 0 };
  const report: OutdatedReport = { entries: [stale, broken], calls };
  t.is(outdatedExitCode(report), EXIT.aws, 'the failed check decides the exit code');
  t.true(outdatedJson(report, '/state').stale);
  const current = { ...report, entries: [{ ...stale, stale: false, reasons: [] }] };
  t.false(outdatedJson(current, '/state').stale);
});

test('a reason or an error of several lines is described on one line', (t) => {
  const reason = describeReason({
    kind: 'last_failed', build_id: 'b1', status: 'failed',
    reason: 'preflight for web failed:\n  base AMI: gone\n  instance type: unknown',
  });
  const flat = 'preflight for web failed: base AMI: gone instance type: unknown';
  t.is(reason, `last build b1 failed (${flat})`);
  t.is(describeEntry(broken), 'check failed: no base AMI in us-east-1: nothing matched');
});
