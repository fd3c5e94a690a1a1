import test from 'ava';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Ajv } from 'ajv';
import YAML from 'yaml';
import { CronExpressionParser } from 'cron-parser';
import { repoRoot } from '../../src/paths.js';
import { tempDir } from '../state/helpers.js';
import { writeSpecs } from '../rebuild/fixture-specs.js';

const debianBase = { owners: ['136693071363'], nameFilter: 'debian-12-amd64-*' };

async function imagesDir(): Promise<string> {
  const dir = await tempDir('schedule-images');
  await writeSpecs(dir, [
    { name: 'web', aws: debianBase, local: true, regions: ['us-east-1'], schedule: '0 3 * * 1' },
    { name: 'db', aws: debianBase, schedule: '30 4 8-14 * 1' },
    { name: 'desk', local: true, schedule: '*/30 2 * * *' },
    { name: 'adhoc', aws: debianBase },
  ]);
  return dir;
}

const AMIBAKE = path.join(repoRoot, 'bin', 'amibake.js');

function amibake(args: string[], env: Record<string, string>) {
  return spawnSync(process.execPath, [AMIBAKE, ...args], {
    encoding: 'utf8',
    env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...env },
  });
}

test('the crontab has a valid cron line per scheduled image: rebuild --stale NAME', async (t) => {
  const images = await imagesDir();
  const result = amibake(['schedule', '--format', 'cron'], { AMIBAKE_IMAGES_DIR: images });
  t.is(result.status, 0, result.stderr);
  const jobs = result.stdout.split('\n').filter((l) => /^[0-9*]/.test(l));
  t.is(jobs.length, 3);
  const byImage = new Map<string, string>();
  for (const line of jobs) {
    const fields = line.split(' ');
    const cron = fields.slice(0, 5).join(' ');
    t.notThrows(() => CronExpressionParser.parse(cron), cron);
    const image = /rebuild --stale (\S+)/.exec(line)?.[1] ?? '';
    byImage.set(image, line);
    t.true(line.includes(`${process.execPath} ${AMIBAKE} rebuild`), 'absolute node and bin');
    t.true(line.includes(`AMIBAKE_IMAGES_DIR=${images}`), 'the run sees the same specs');
    t.regex(line, new RegExp(`>> \\S+/rebuild-${image}\\.log 2>&1$`));
  }
  t.deepEqual([...byImage.keys()].sort(), ['db', 'desk', 'web']);
  t.true(byImage.get('web')!.startsWith('0 3 * * 1 '));
  t.regex(byImage.get('web')!, /rebuild --stale web --publish/);
  t.notRegex(byImage.get('db')!, /--publish/, 'no publish section, no --publish');
  t.regex(result.stderr, /adhoc has no rebuild.schedule; not scheduled/);
});

test('--target narrows each job to that target and skips images without it', async (t) => {
  const images = await imagesDir();
  const result = amibake(['schedule', '--target', 'local'], { AMIBAKE_IMAGES_DIR: images });
  t.is(result.status, 0, result.stderr);
  const jobs = result.stdout.split('\n').filter((l) => /^[0-9*]/.test(l));
  t.is(jobs.length, 2);
  t.regex(jobs.join('\n'), /rebuild --stale web --target local --publish/);
  t.regex(jobs.join('\n'), /rebuild --stale desk >>/, 'desk has only local: no --target needed');
});

test('systemd units pass systemd-analyze verify; one Persistent timer per image', async (t) => {
  const images = await imagesDir();
  const out = await tempDir('units');
  const args = ['schedule', '--format', 'systemd', '--out', out];
  const result = amibake(args, { AMIBAKE_IMAGES_DIR: images });
  t.is(result.status, 0, result.stderr);
  const files = (await readdir(out)).sort();
  t.deepEqual(files, [
    'amibake-rebuild-db.service',
    'amibake-rebuild-db.timer',
    'amibake-rebuild-desk.service',
    'amibake-rebuild-desk.timer',
    'amibake-rebuild-web.service',
    'amibake-rebuild-web.timer',
  ]);
  const verify = spawnSync('systemd-analyze', ['verify', ...files.map((f) => path.join(out, f))], {
    encoding: 'utf8',
  });
  t.is(verify.status, 0, verify.stderr);
  t.is(verify.stderr.trim(), '', 'no warnings either');
  const dbTimer = await readFile(path.join(out, 'amibake-rebuild-db.timer'), 'utf8');
  t.regex(dbTimer, /^OnCalendar=\*-\*-08\.\.14 04:30:00$/m);
  t.regex(dbTimer, /^OnCalendar=Mon \*-\*-\* 04:30:00$/m);
  t.regex(dbTimer, /^Persistent=true$/m);
  t.regex(dbTimer, /^Unit=amibake-rebuild-db\.service$/m);
  const webService = await readFile(path.join(out, 'amibake-rebuild-web.service'), 'utf8');
  t.regex(webService, /^ExecStart=\S+ \S+amibake\.js rebuild --stale web --publish$/m);
  t.regex(webService, new RegExp(`^Environment=AMIBAKE_IMAGES_DIR=${images}$`, 'm'));
});

test('a broken unit is caught by the same systemd-analyze check', async (t) => {
  const out = await tempDir('units-bad');
  const images = await imagesDir();
  amibake(['schedule', '--format', 'systemd', '--out', out], { AMIBAKE_IMAGES_DIR: images });
  const timer = path.join(out, 'amibake-rebuild-web.timer');
  const text = await readFile(timer, 'utf8');
  await writeFile(timer, text.replace(/^OnCalendar=.*$/m, 'OnCalendar=Mon *-*-* 25:00:00'));
  const verify = spawnSync('systemd-analyze', ['verify', timer], { encoding: 'utf8' });
  t.not(verify.status, 0);
});

// The parts of a GitHub workflow this generator must get right, as a JSON schema.
const workflowShape = {
  type: 'object',
  required: ['name', 'on', 'permissions', 'jobs'],
  properties: {
    on: {
      type: 'object',
      required: ['schedule', 'workflow_dispatch'],
      properties: {
        schedule: {
          type: 'array',
          minItems: 1,
          items: { type: 'object', required: ['cron'], additionalProperties: false,
            properties: { cron: { type: 'string' } } },
        },
      },
    },
    permissions: {
      type: 'object',
      required: ['id-token', 'contents'],
      properties: { 'id-token': { const: 'write' }, contents: { const: 'read' } },
    },
    jobs: {
      type: 'object',
      required: ['plan', 'rebuild'],
      additionalProperties: {
        type: 'object',
        required: ['runs-on', 'steps'],
        properties: {
          'runs-on': { type: 'string' },
          steps: {
            type: 'array',
            items: {
              type: 'object',
              oneOf: [{ required: ['uses'] }, { required: ['run'] }],
              properties: { uses: { type: 'string', pattern: '^[\\w.-]+/[\\w.-]+@\\S+$' } },
            },
          },
        },
      },
    },
  },
};

test('the GitHub workflow parses, has the right shape, and assumes a role by OIDC', async (t) => {
  const images = await imagesDir();
  const out = await tempDir('workflow');
  const args = ['schedule', '--format', 'github', '--out', out];
  const result = amibake(args, { AMIBAKE_IMAGES_DIR: images });
  t.is(result.status, 0, result.stderr);
  t.regex(result.stderr, /desk has no aws target/);
  const text = await readFile(path.join(out, 'amibake-rebuild.yml'), 'utf8');
  const workflow = YAML.parse(text);
  const validate = new Ajv({ allErrors: true }).compile(workflowShape);
  t.true(validate(workflow), JSON.stringify(validate.errors));

  const crons = workflow.on.schedule.map((s: { cron: string }) => s.cron);
  t.deepEqual(crons.sort(), ['0 3 * * 1', '30 4 8-14 * 1']);
  for (const cron of crons) t.notThrows(() => CronExpressionParser.parse(cron));

  const steps = workflow.jobs.rebuild.steps as Record<string, any>[];
  const creds = steps.find((s) => /^aws-actions\/configure-aws-credentials@/.test(String(s.uses)));
  t.is(creds?.with['role-to-assume'], '${{ vars.AMIBAKE_AWS_ROLE_ARN }}');
  t.notRegex(text, /aws-access-key-id|aws-secret-access-key|secrets\./, 'no stored keys');
  t.is(workflow.jobs.rebuild.strategy.matrix, '${{ fromJSON(needs.plan.outputs.matrix) }}');

  // The plan script maps each cron to exactly its images; run it as GitHub would.
  const plan = workflow.jobs.plan.steps[0].run as string;
  const pick = (schedule: string): Record<string, string> => {
    const output = path.join(out, `github-output-${schedule.replace(/\W/g, '_')}`);
    const run = spawnSync('bash', ['-e', '-c', plan], {
      encoding: 'utf8',
      env: { ...process.env, SCHEDULE: schedule, GITHUB_OUTPUT: output },
    });
    t.is(run.status, 0, run.stderr);
    const lines = readFileSync(output, 'utf8').trim().split('\n');
    return Object.fromEntries(lines.map((l) => [l.split('=')[0], l.slice(l.indexOf('=') + 1)]));
  };
  const monday3 = pick('0 3 * * 1');
  t.deepEqual(JSON.parse(monday3.matrix), { include: [{ image: 'web', publish: true }] });
  t.is(monday3.count, '1');
  const manual = pick('');
  const all = JSON.parse(manual.matrix).include.map((r: { image: string }) => r.image);
  t.deepEqual(all, ['db', 'web'], 'a manual run checks every aws image');
});
