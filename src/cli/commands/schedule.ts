// `amibake schedule [--format cron|systemd|github] [--out DIR] [--target T] [--state URI]`:
// turns each spec's rebuild.schedule into a crontab, systemd units or a GitHub workflow;
// printed to stdout, or written into DIR with --out.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { EXIT, UsageError } from '../../errors.js';
import { info, warn } from '../../log.js';
import { STATE_HELP, targetsOption } from '../../rebuild/cli-common.js';
import { loadAllSpecs } from '../../spec/load.js';
import { renderCrontab } from '../../schedule/crontab.js';
import { hostContext, scheduledRebuilds, type ScheduledRebuild } from '../../schedule/entries.js';
import { renderWorkflow, WORKFLOW_FILE } from '../../schedule/github.js';
import { renderSystemdUnits, type UnitFile } from '../../schedule/systemd.js';
import { parseCommandArgs } from '../args.js';

export const summary = 'emit rebuild schedules as a crontab, systemd timers or a GitHub workflow';

const USAGE =
  'usage: amibake schedule [--format cron|systemd|github] [--out DIR] [--target aws|local]' +
  ' [--state URI]';
const FORMATS = ['cron', 'systemd', 'github'] as const;
type Format = (typeof FORMATS)[number];

function formatOption(value: string): Format {
  if (!(FORMATS as readonly string[]).includes(value)) {
    throw new UsageError(`schedule: unknown format "${value}"; use ${FORMATS.join(', ')}`);
  }
  return value as Format;
}

function render(format: Format, entries: ScheduledRebuild[], state?: string): UnitFile[] {
  if (format === 'github') {
    const aws = entries.filter((e) => e.targets.includes('aws'));
    for (const e of entries.filter((x) => !aws.includes(x))) {
      warn(`${e.image} has no aws target; the GitHub workflow rebuilds aws images only`);
    }
    return [{ name: WORKFLOW_FILE, text: renderWorkflow(aws, state) }];
  }
  if (format === 'systemd') return renderSystemdUnits(entries, hostContext(), state);
  return [{ name: 'amibake.crontab', text: renderCrontab(entries, hostContext(), state) }];
}

async function writeAll(dir: string, files: UnitFile[]): Promise<void> {
  await mkdir(dir, { recursive: true });
  for (const file of files) {
    await writeFile(path.join(dir, file.name), file.text);
    info(`wrote ${path.join(dir, file.name)}`);
  }
}

// Not passed through redact(): the text holds only spec names, crons, paths and variable names,
// and redact's "token: value" rule would mangle the workflow's `id-token: write`.
function printFiles(files: UnitFile[]): void {
  for (const file of files) {
    if (files.length > 1) process.stdout.write(`# ---- ${file.name}\n`);
    process.stdout.write(file.text);
  }
}

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs('schedule', argv, {
    format: { type: 'string', default: 'cron' },
    out: { type: 'string' },
    target: { type: 'string' },
    state: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    info(`${USAGE}\n  ${summary}\n  ${STATE_HELP}`);
    return EXIT.ok;
  }
  if (positionals.length > 0) throw new UsageError(`schedule: takes no names; ${USAGE}`);
  const format = formatOption(values.format);
  const specs = await loadAllSpecs();
  const entries = scheduledRebuilds(specs, targetsOption(values.target));
  for (const spec of specs.filter((s) => !s.spec.rebuild?.schedule)) {
    info(`${spec.name} has no rebuild.schedule; not scheduled`);
  }
  if (entries.length === 0) warn('no spec has a rebuild.schedule; the output schedules nothing');
  const files = render(format, entries, values.state);
  if (values.out) await writeAll(values.out, files);
  else printFiles(files);
  return EXIT.ok;
}
