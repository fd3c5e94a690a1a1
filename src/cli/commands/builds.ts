// `amibake builds NAME [--target T] [--json] [--state URI]`: an image's builds, oldest first:
// a table on stdout, or JSON with --json.
import { EXIT, UsageError } from '../../errors.js';
import { info, printJson } from '../../log.js';
import type { BuildManifest } from '../../manifest-types.js';
import { STATE_HELP, targetsOption } from '../../rebuild/cli-common.js';
import { openStateStore } from '../../state/store.js';
import { printTable } from '../../state/table.js';
import { parseCommandArgs } from '../args.js';

export const summary = 'list the builds of an image: id, time, base, spec hash, status, AMIs';

const USAGE = 'usage: amibake builds NAME [--target aws|local] [--json] [--state URI]';

export interface BuildRow {
  build_id: string;
  target: string;
  started_at: string;
  finished_at?: string;
  status: string;
  reason?: string;
  spec_hash: string;
  base: BuildManifest['base'];
  /** region -> AMI: the published ones when published, else the ones the bake made. */
  amis: Record<string, string>;
}

export function toRow(m: BuildManifest): BuildRow {
  return {
    build_id: m.build_id,
    target: m.target,
    started_at: m.started_at,
    ...(m.finished_at ? { finished_at: m.finished_at } : {}),
    status: m.status,
    ...(m.reason ? { reason: m.reason } : {}),
    spec_hash: m.spec_hash,
    base: m.base ?? {},
    amis: m.publish?.amis ?? m.amis ?? {},
  };
}

function pairs(map: Record<string, string> | undefined): string {
  const entries = Object.entries(map ?? {});
  return entries.length === 0 ? '-' : entries.map(([k, v]) => `${k}=${v}`).join(',');
}

function baseText(row: BuildRow): string {
  if (row.base.ami && Object.keys(row.base.ami).length > 0) return pairs(row.base.ami);
  return row.base.recipe_hash ? `recipe:${row.base.recipe_hash.slice(0, 12)}` : '-';
}

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs('builds', argv, {
    target: { type: 'string' },
    json: { type: 'boolean' },
    state: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    info(`${USAGE}\n  ${summary}\n  ${STATE_HELP}`);
    return EXIT.ok;
  }
  if (positionals.length !== 1) {
    throw new UsageError(`builds: give exactly one image name; ${USAGE}`);
  }
  const targets = targetsOption(values.target);
  const store = await openStateStore(values.state);
  const manifests = await store.list(positionals[0]);
  const rows = manifests.filter((m) => !targets || targets.includes(m.target)).map(toRow);
  if (values.json) {
    printJson(rows);
    return EXIT.ok;
  }
  if (rows.length === 0) {
    info(`no builds of ${positionals[0]} in ${store.location}`);
    return EXIT.ok;
  }
  printTable(
    ['BUILD', 'STARTED', 'TARGET', 'STATUS', 'BASE', 'SPEC', 'AMIS'],
    rows.map((r) => [
      r.build_id,
      r.started_at.replace(/\.\d+Z$/, 'Z'),
      r.target,
      r.status,
      baseText(r),
      r.spec_hash.slice(0, 12),
      pairs(r.amis),
    ]),
  );
  return EXIT.ok;
}
