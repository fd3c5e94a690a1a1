// `amibake outdated NAME...|--all [--target T] [--json] [--state URI]`: which images need a
// rebuild and why. Exit 0 when nothing is stale, 10 when something is, 5 when a check failed.
import { EXIT } from '../../errors.js';
import { info, printJson } from '../../log.js';
import { STATE_HELP, selectSpecs, targetsOption } from '../../rebuild/cli-common.js';
import { liveOutdatedDeps } from '../../rebuild/deps.js';
import { describeEntry } from '../../rebuild/describe.js';
import { checkOutdated, type OutdatedReport } from '../../rebuild/outdated.js';
import { openStateStore } from '../../state/store.js';
import { printTable } from '../../state/table.js';
import { parseCommandArgs } from '../args.js';

export const summary = 'list images whose base AMI, spec or last build makes them stale (exit 10)';

const USAGE = 'usage: amibake outdated NAME...|--all [--target aws|local] [--json] [--state URI]';

/** 5 when any check failed, else 10 when anything is stale, else 0. */
export function outdatedExitCode(report: OutdatedReport): number {
  if (report.entries.some((e) => e.error)) return EXIT.aws;
  return report.entries.some((e) => e.stale) ? EXIT.stale : EXIT.ok;
}

/** `stale` says whether any image is known to be stale, also when another one's check failed. */
export function outdatedJson(report: OutdatedReport, location: string) {
  const stale = report.entries.some((e) => e.stale);
  return { stale, state: location, calls: report.calls, images: report.entries };
}

function state(entry: OutdatedReport['entries'][number]): string {
  if (entry.error) return 'error';
  return entry.stale ? 'stale' : 'current';
}

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs('outdated', argv, {
    all: { type: 'boolean' },
    target: { type: 'string' },
    json: { type: 'boolean' },
    state: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    info(`${USAGE}\n  ${summary}\n  ${STATE_HELP}`);
    return EXIT.ok;
  }
  const targets = targetsOption(values.target);
  const specs = await selectSpecs('outdated', positionals, values.all === true, USAGE);
  const store = await openStateStore(values.state);
  const report = await checkOutdated(specs, liveOutdatedDeps(store, targets));
  const code = outdatedExitCode(report);
  if (values.json) {
    printJson(outdatedJson(report, store.location));
  } else {
    printTable(
      ['IMAGE', 'TARGET', 'STATE', 'WHY'],
      report.entries.map((e) => [e.image, e.target, state(e), describeEntry(e)]),
    );
  }
  return code;
}
