// `amibake base build|list|clean`: the cached Debian base disks local bakes boot from.
import { UsageError } from '../../errors.js';
import { info, printJson } from '../../log.js';
import { redact } from '../../redact.js';
import { basesDir, cleanBases, ensureBase, listBases, type BaseInfo } from '../../local/base.js';
import { defaultRecipe, recipeHash } from '../../local/recipe.js';
import { parseCommandArgs } from '../args.js';

export const summary = 'build, list or clean the cached local base disks';

const USAGE = `usage: amibake base <build|list|clean> [options]
  build [--release NAME] [--json]   build the default base disk (reused when cached)
  list [--json]                     cached bases: hash, release, size, date
  clean [--unused] [--keep HASH]... [--json]
                                    remove every base; --unused keeps the default
                                    recipe's base, --keep keeps the named ones`;

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs('base', argv, {
    json: { type: 'boolean', default: false },
    release: { type: 'string' },
    unused: { type: 'boolean', default: false },
    keep: { type: 'string', multiple: true },
    help: { type: 'boolean', short: 'h', default: false },
  });
  const [action, ...extra] = positionals;
  if (values.help) {
    process.stderr.write(`${USAGE}\n`);
    return 0;
  }
  if (!action || extra.length > 0) {
    const got = positionals.join(' ');
    throw new UsageError(`base: expected one action (build, list or clean), got "${got}"`, {
      hint: 'run "amibake base --help"',
    });
  }
  if (action === 'build') return build(values.release, values.json);
  if (action === 'list') return list(values.json);
  if (action === 'clean') return clean(values.unused, values.keep ?? [], values.json);
  throw new UsageError(`base: unknown action "${action}"`, { hint: 'use build, list or clean' });
}

async function build(release: string | undefined, json: boolean): Promise<number> {
  const base = await ensureBase(defaultRecipe(release));
  if (json) printJson(base);
  else info(base.builtSeconds > 0
    ? `built base ${base.recipeHash.slice(0, 12)} in ${base.builtSeconds} s: ${base.qcow2}`
    : `base ${base.recipeHash.slice(0, 12)} is cached: ${base.qcow2}`);
  return 0;
}

async function list(json: boolean): Promise<number> {
  const bases = await listBases();
  if (json) {
    printJson(bases);
    return 0;
  }
  if (bases.length === 0) info(`no bases in ${basesDir()}`);
  else writeStdout(formatTable(bases));
  return 0;
}

async function clean(unused: boolean, keep: string[], json: boolean): Promise<number> {
  const kept = unused ? [...keep, recipeHash(defaultRecipe())] : keep;
  const result = await cleanBases({ keep: kept });
  if (json) printJson(result);
  else {
    info(`removed ${result.removed.length} base(s) and ${result.removedPartials.length} ` +
      `interrupted build(s), ${formatSize(result.freedBytes)} freed`);
  }
  return 0;
}

function formatTable(bases: BaseInfo[]): string {
  const rows = [['HASH', 'RELEASE', 'SIZE', 'CREATED', 'KERNEL']];
  for (const b of bases) {
    rows.push([b.recipeHash.slice(0, 12), b.release, formatSize(b.sizeBytes),
      b.createdAt.replace('T', ' ').slice(0, 19), b.kernelVersion]);
  }
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  const line = (r: string[]) => r.map((cell, i) => cell.padEnd(widths[i])).join('  ').trimEnd();
  return rows.map(line).join('\n');
}

function formatSize(bytes: number): string {
  if (bytes >= 1024 ** 3) return `${(bytes / 1024 ** 3).toFixed(2)} GiB`;
  return `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
}

function writeStdout(text: string): void {
  process.stdout.write(`${redact(text)}\n`);
}
