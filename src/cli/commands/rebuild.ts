// `amibake rebuild --stale [NAME...] [--target T] [--publish] [--json] [--state URI]`: bakes
// (and with --publish publishes) only the stale images, under a lock per image.
import { EXIT, UsageError } from '../../errors.js';
import { withInterrupts } from '../../bake/interrupts.js';
import { loadSpec } from '../../spec/load.js';
import { resolveSshCidr } from '../../verify/ssh-cidr.js';
import { info, printJson } from '../../log.js';
import { STATE_HELP, selectSpecs, targetsOption } from '../../rebuild/cli-common.js';
import { liveOutdatedDeps } from '../../rebuild/deps.js';
import { oneLine } from '../../rebuild/describe.js';
import { rebuildStale, type RebuildReport, type RunImage } from '../../rebuild/rebuild.js';
import { openStateStore } from '../../state/store.js';
import { printTable } from '../../state/table.js';
import { parseCommandArgs } from '../args.js';

export const summary = 'rebuild only stale images: rebuild --stale [NAME...] [--publish]';

const USAGE =
  'usage: amibake rebuild --stale [NAME...] [--target aws|local] [--publish] [--json]' +
  ' [--state URI]';

/** 0 when every stale image was rebuilt (or none was stale), else the first failure's code. */
export function rebuildExitCode(report: RebuildReport): number {
  const failed = report.outcomes.find((o) => o.result !== 'rebuilt');
  if (!failed) return EXIT.ok;
  return failed.result === 'not_checked' ? EXIT.aws : (failed.exitCode ?? EXIT.failed);
}

function show(report: RebuildReport, json: boolean): void {
  if (json) {
    printJson({ images: report.checked, outcomes: report.outcomes });
    return;
  }
  if (report.outcomes.length === 0) {
    info(`nothing stale among ${report.checked.length} image target(s)`);
    return;
  }
  printTable(
    ['IMAGE', 'TARGET', 'RESULT', 'BUILD', 'ERROR'],
    report.outcomes.map((o) => [
      o.image, o.target, o.result, o.build_id ?? '-', oneLine(o.error ?? ''),
    ]),
  );
}

// An aws rebuild verifies the new AMI over SSH: without the CIDR it must not make an AMI that
// nothing could ever verify (and that `outdated` would then count as current).
function requireSshCidr(): void {
  try {
    resolveSshCidr();
  } catch (error) {
    throw new UsageError(
      'not started: an aws rebuild verifies the new AMI over SSH and needs AMIBAKE_SSH_CIDR' +
        ` (${(error as Error).message})`,
      { hint: 'set AMIBAKE_SSH_CIDR=203.0.113.7/32 (your public address) for the run' },
    );
  }
}

/** The real baker: bake, verify, publish, with AMIBAKE_SOURCE_MIRROR and the run's signal. */
async function realRunImage(): Promise<RunImage> {
  const { runImage } = await import('../../bake/image.js');
  const { mirrorsFromEnv } = await import('../../bake/sources.js');
  return async (options) => {
    if (options.target === 'aws') requireSshCidr();
    const loaded = await loadSpec(options.name);
    return runImage(loaded, options.target, {
      publish: options.publish,
      state: options.state,
      signal: options.signal,
      mirrors: mirrorsFromEnv(),
    });
  };
}

/** The command with its baker injectable; `run` passes the real one. */
export async function runRebuild(argv: string[], runImage?: RunImage): Promise<number> {
  const { values, positionals } = parseCommandArgs('rebuild', argv, {
    stale: { type: 'boolean' },
    target: { type: 'string' },
    publish: { type: 'boolean' },
    json: { type: 'boolean' },
    state: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    info(`${USAGE}\n  ${summary}; no NAME means every spec\n  ${STATE_HELP}`);
    return EXIT.ok;
  }
  if (!values.stale) {
    throw new UsageError(
      'rebuild: only --stale rebuilds exist; to bake regardless use amibake bake',
    );
  }
  const targets = targetsOption(values.target);
  const specs = await selectSpecs('rebuild', positionals, positionals.length === 0, USAGE);
  const store = await openStateStore(values.state);
  const baker = runImage ?? (await realRunImage());
  const report = await withInterrupts((signal) =>
    rebuildStale(specs, {
      ...liveOutdatedDeps(store, targets),
      runImage: baker,
      publish: values.publish === true,
      signal,
    }),
  );
  show(report, values.json === true);
  return rebuildExitCode(report);
}

export function run(argv: string[]): Promise<number> {
  return runRebuild(argv);
}
