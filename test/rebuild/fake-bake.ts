// A stand-in for runImage that does what a successful bake records: resolves the base the way
// the bake does, hashes the spec, and writes a succeeded manifest into the given store.
import { randomBytes } from 'node:crypto';
import { resolveBaseAmi } from '../../src/aws/base-ami.js';
import type { BuildManifest } from '../../src/manifest-types.js';
import type { RunImage, RunImageOptions } from '../../src/rebuild/rebuild.js';
import { regionsOf } from '../../src/rebuild/outdated.js';
import { defaultRegion, localRecipeHash } from '../../src/rebuild/deps.js';
import { loadSpec } from '../../src/spec/load.js';

export interface FakeBake {
  runImage: RunImage;
  calls: RunImageOptions[];
}

let sequence = 0;

export async function bakeManifest(name: string, target: 'aws' | 'local'): Promise<BuildManifest> {
  const loaded = await loadSpec(name);
  const base: BuildManifest['base'] = {};
  if (target === 'aws') {
    const aws = loaded.spec.targets.aws!;
    base.ami = {};
    for (const region of regionsOf(loaded, defaultRegion())) {
      base.ami[region] = (await resolveBaseAmi(aws.base, loaded.spec.architecture, region)).imageId;
    }
  } else {
    base.recipe_hash = localRecipeHash(loaded);
  }
  sequence += 1;
  const started = new Date(Date.now() + sequence).toISOString();
  return {
    schema: 1,
    build_id: `20250101t0000${String(sequence).padStart(2, '0')}-${randomBytes(3).toString('hex')}`,
    image: name,
    target,
    status: 'succeeded',
    started_at: started,
    finished_at: started,
    spec_hash: loaded.hash,
    base,
    phases: {},
    artifacts: [],
    amis: target === 'aws' ? { 'us-east-1': `ami-${randomBytes(8).toString('hex')}` } : undefined,
    verification: { status: 'passed', at: started, results: [], audit: [] },
    tool_version: '0.1.0',
  };
}

/** Records each call; `fail` names images whose bake throws after recording a failed build. */
export function fakeBake(fail: string[] = []): FakeBake {
  const calls: RunImageOptions[] = [];
  const runImage: RunImage = async (options) => {
    calls.push(options);
    const manifest = await bakeManifest(options.name, options.target);
    if (fail.includes(options.name)) {
      const reason = 'smoke test db-answers failed';
      const failed = { ...manifest, status: 'failed' as const, reason };
      await options.state?.put(failed);
      throw Object.assign(new Error(`bake failed: ${reason}`), { manifest: failed });
    }
    await options.state?.put(manifest);
    return manifest;
  };
  return { runImage, calls };
}
