// Benchmark: the `outdated` check over 4 specs x 3 regions against a private moto_server.
// Two of the four specs share a base, so the batch should make 6 DescribeImages calls, not 12.
// Returns wall time per check (median and max of RUNS) and the DescribeImages count.
import { performance } from 'node:perf_hooks';
import { resetClients } from '../src/aws/clients.js';
import { resolveBaseAmis, type BaseAmiRequest } from '../src/aws/base-ami.js';
import { checkOutdated } from '../src/rebuild/outdated.js';
import { loadAllSpecs } from '../src/spec/load.js';
import { openStateStore } from '../src/state/store.js';
import { motoEnv, startMoto, type SeedImage } from '../test/helpers/moto.js';
import { makeManifest, tempDir } from '../test/state/helpers.js';
import { writeSpecs, type FixtureSpec } from '../test/rebuild/fixture-specs.js';

const OWNER = '136693071363';
const REGIONS = ['us-east-1', 'eu-west-1', 'ap-southeast-2'];
const RUNS = 5;

const SEEDS: SeedImage[] = [
  { id: 'ami-0b00000000000000a', name: 'bench-debian-12-1', owner: OWNER, arch: 'x86_64' },
  { id: 'ami-0b00000000000000b', name: 'bench-ubuntu-22-1', owner: OWNER, arch: 'x86_64' },
];

const SPECS: FixtureSpec[] = ['a', 'b', 'c', 'd'].map((letter, i) => ({
  name: `bench-${letter}`,
  aws: { owners: [OWNER], nameFilter: i % 2 === 0 ? 'bench-debian-12-*' : 'bench-ubuntu-22-*' },
  regions: REGIONS,
}));

// The bench shares its process with others: put back every variable it changed.
function withEnv(values: Record<string, string>): () => void {
  const saved = Object.fromEntries(Object.keys(values).map((k) => [k, process.env[k]]));
  Object.assign(process.env, values);
  resetClients();
  return () => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    resetClients();
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

export async function benchOutdated(): Promise<Record<string, number | string>> {
  const moto = await startMoto({ images: SEEDS });
  const restore = withEnv(motoEnv(moto.endpoint));
  try {
    const imagesDir = await tempDir('bench-images');
    await writeSpecs(imagesDir, SPECS);
    const specs = await loadAllSpecs(imagesDir);
    const store = await openStateStore(await tempDir('bench-state'));
    const resolve = (requests: BaseAmiRequest[]) => resolveBaseAmis(requests, { phase: 'state' });
    // Record each spec as built on today's bases, so the timed checks find nothing stale; this
    // also makes moto load its per-region AMI catalogue (about 2 s) before the clock starts.
    for (const spec of specs) {
      const { results } = await resolve(
        REGIONS.map((region) => ({
          base: spec.spec.targets.aws!.base,
          arch: 'x86_64' as const,
          region,
        })),
      );
      const ami = Object.fromEntries(
        REGIONS.map((region, i) => [region, (results[i] as { imageId: string }).imageId]),
      );
      const built = { image: spec.name, build_id: 'b1', spec_hash: spec.hash, base: { ami } };
      await store.put(makeManifest(built));
    }
    let describeImages = 0;
    let stale = 0;
    const times: number[] = [];
    for (let run = 0; run < RUNS; run++) {
      const started = performance.now();
      const report = await checkOutdated(specs, {
        store,
        defaultRegion: 'us-east-1',
        resolveBaseAmis: resolve,
      });
      times.push(performance.now() - started);
      describeImages = report.calls.describeImages;
      stale = report.entries.filter((e) => e.stale).length;
    }
    return {
      specs: specs.length,
      regions: REGIONS.length,
      base_requests: specs.length * REGIONS.length,
      describe_images_calls: describeImages,
      stale_entries: stale,
      median_ms: Math.round(median(times)),
      max_ms: Math.round(Math.max(...times)),
      runs: RUNS,
    };
  } finally {
    restore();
    await moto.stop();
  }
}

const invokedDirectly = process.argv[1]?.endsWith('bench/outdated.ts');
if (invokedDirectly) console.log(await benchOutdated());
