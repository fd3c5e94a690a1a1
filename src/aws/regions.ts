// Region names from the command line, and a check against the account's own region list
// (ec2:DescribeRegions), so a typo or a region the account has not enabled fails before
// anything is copied, naming the region: otherwise it surfaces as an unreachable host
// (AWS) or an HTTP 500 (emulators such as moto), far from its cause.
import { DescribeRegionsCommand } from '@aws-sdk/client-ec2';
import { AwsError, UsageError } from '../errors.js';
import { warn } from '../log.js';
import { send, type Phase } from './actions.js';
import { ec2Client } from './clients.js';

const REGION = /^[a-z]{2}(-[a-z]+)+-[0-9]+$/;

/** "us-east-1,eu-west-1" as a list; undefined when the flag was not given. */
export function parseRegionList(command: string, value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  const regions = value.split(',').map((r) => r.trim()).filter((r) => r !== '');
  const bad = regions.filter((r) => !REGION.test(r));
  if (regions.length === 0 || bad.length > 0) {
    const found = bad.join(', ') || 'none given';
    const message = `${command}: --regions takes names like us-east-1,eu-west-1 (bad: ${found})`;
    throw new UsageError(message);
  }
  return [...new Set(regions)];
}

function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i += 1) {
    const row = [i];
    for (let j = 1; j <= b.length; j += 1) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      row.push(Math.min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + cost));
    }
    previous = row;
  }
  return previous[b.length];
}

function closest(name: string, known: string[]): string | undefined {
  const ranked = known.map((k) => [distance(name, k), k] as const).sort((x, y) => x[0] - y[0]);
  const best = ranked[0];
  return best && best[0] <= 3 ? best[1] : undefined;
}

// Without permission the names cannot be checked; the run goes on and fails where it must.
const DENIED = new Set(['UnauthorizedOperation', 'AccessDenied', 'AccessDeniedException']);
// A region that cannot answer (itself misspelt, or unreachable): the next candidate is asked.
const NO_ANSWER = new Set(['NotSupportedByEndpoint', 'TimeoutError', 'ENOTFOUND', 'ECONNREFUSED']);

async function listRegions(candidates: string[], phase: Phase) {
  for (const region of candidates) {
    try {
      const command = new DescribeRegionsCommand({ AllRegions: true });
      const out = await send(ec2Client(region), command, { phase });
      return out.Regions ?? [];
    } catch (error) {
      const code = error instanceof AwsError ? (error.code ?? '') : '';
      if (DENIED.has(code)) {
        warn(`cannot check region names: ${(error as Error).message}`);
        return undefined;
      }
      if (!NO_ANSWER.has(code)) throw error;
    }
  }
  warn(`cannot check region names: no region of ${candidates.join(', ')} answered`);
  return undefined;
}

/**
 * Throws naming every region that the account's region list lacks, or that the account has
 * not opted into. The list is asked in `askIn` (a region known to work, e.g. the bake's),
 * else in the first of `regions`, else in the default region (AWS_REGION) that answers.
 */
export async function assertUsableRegions(
  regions: string[],
  phase: Phase,
  askIn?: string,
): Promise<void> {
  const home = process.env.AWS_REGION || process.env.AWS_DEFAULT_REGION;
  const candidates = [askIn, ...regions, home].filter((r): r is string => Boolean(r));
  const listed = await listRegions([...new Set(candidates)], phase);
  if (!listed) return;
  const names = listed.flatMap((r) => (r.RegionName ? [r.RegionName] : []));
  const problems: string[] = [];
  for (const region of regions) {
    const found = listed.find((r) => r.RegionName === region);
    if (!found) {
      const near = closest(region, names);
      problems.push(`unknown region ${region}${near ? ` (did you mean ${near}?)` : ''}`);
    } else if (found.OptInStatus === 'not-opted-in') {
      problems.push(`region ${region} is not enabled for this account (opt-in required)`);
    }
  }
  if (problems.length === 0) return;
  throw new AwsError(`${problems.join('; ')}; ec2:DescribeRegions lists ${names.length}`, {
    code: 'UnknownRegion',
    hint: 'check --regions, publish.regions in the spec and AWS_REGION; enable an opt-in' +
      ' region in the AWS console (Account > AWS Regions)',
  });
}
