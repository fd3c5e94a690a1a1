// What a scheduled rebuild must inherit from the shell that wrote its schedule: the source
// mirror (else Sakila-style sources always fail) and the SSH CIDR (else aws rebuilds never run).
import test from 'ava';
import path from 'node:path';
import { renderCrontab } from '../../src/schedule/crontab.js';
import { hostContext, type ScheduledRebuild } from '../../src/schedule/entries.js';
import { workflowObject } from '../../src/schedule/github.js';
import { renderService } from '../../src/schedule/systemd.js';

const entry: ScheduledRebuild = {
  image: 'lamp', cron: '0 3 * * 1', targets: ['aws'], allTargets: true, publish: true,
};

test('the source mirror is carried with every directory made absolute', (t) => {
  const env = {
    AMIBAKE_SOURCE_MIRROR: 'mirror-a::/srv/mirror-b',
    AMIBAKE_SSH_CIDR: '198.51.100.7/32',
  };
  const host = hostContext(env);
  t.is(host.env.AMIBAKE_SOURCE_MIRROR, `${path.resolve('mirror-a')}:/srv/mirror-b`);
  t.is(host.env.AMIBAKE_SSH_CIDR, '198.51.100.7/32', 'a CIDR is carried as it is');
  const cron = renderCrontab([entry], host);
  t.regex(cron, /AMIBAKE_SSH_CIDR=198\.51\.100\.7\/32 /);
  t.true(cron.includes(`AMIBAKE_SOURCE_MIRROR=${path.resolve('mirror-a')}:/srv/mirror-b `));
  const service = renderService(entry, host).text;
  t.regex(service, /^Environment=AMIBAKE_SSH_CIDR=198\.51\.100\.7\/32$/m);
  t.regex(service, /^Environment=AMIBAKE_SOURCE_MIRROR=\/\S+:\/srv\/mirror-b$/m);
});

test('nothing is carried that the shell did not set', (t) => {
  const host = hostContext({});
  t.deepEqual(host.env, {});
  t.notRegex(renderCrontab([entry], host), /AMIBAKE_SSH_CIDR|AMIBAKE_SOURCE_MIRROR/);
});

test('the GitHub workflow hands the rebuild an SSH CIDR from a repository variable', (t) => {
  const workflow = workflowObject([entry]) as {
    jobs: { rebuild: { steps: Array<{ env?: Record<string, string> }> } };
  };
  const step = workflow.jobs.rebuild.steps.find((s) => s.env?.IMAGE !== undefined);
  t.is(step?.env?.AMIBAKE_SSH_CIDR, '${{ vars.AMIBAKE_SSH_CIDR }}');
});
