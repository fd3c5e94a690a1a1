// Benchmark: two real local bakes of the demo image in a private cache. The first builds the
// base disk, the second reuses it. Prints the phase breakdown, amibake's own overhead as a
// share of wall time (everything outside Packer's VM boot, provisioning and shutdown), the
// saving from base reuse, and this process's peak RSS (QEMU and Packer are child processes,
// so they are not counted in it).
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadSpec } from '../src/spec/load.js';
import { bakeLocal } from '../src/bake/bake-local.js';
import { repoRoot } from '../src/paths.js';

const DEMO = 'ubuntu804-lamp';

async function timedBake(mirror: string) {
  const loaded = await loadSpec(DEMO);
  const start = performance.now();
  const { manifest } = await bakeLocal(loaded, { mirrors: [mirror] });
  return { wall: (performance.now() - start) / 1000, phases: manifest.phases };
}

export async function benchLocalBake(): Promise<Record<string, number | string>> {
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'amibake-bench-bake-'));
  process.env.AMIBAKE_CACHE_DIR = path.join(scratch, 'cache');
  process.env.AMIBAKE_BUILD_DIR = path.join(scratch, 'build');
  const mirror = process.env.AMIBAKE_SOURCE_MIRROR || path.join(repoRoot, '..', 'shared', 'data', 'sakila');
  try {
    const cold = await timedBake(mirror);
    const warm = await timedBake(mirror);
    const figures: Record<string, number | string> = {};
    for (const [phase, seconds] of Object.entries(cold.phases)) figures[`cold bake: ${phase}, s`] = seconds;
    figures['cold bake: wall, s'] = Number(cold.wall.toFixed(1));
    for (const [phase, seconds] of Object.entries(warm.phases)) figures[`warm bake: ${phase}, s`] = seconds;
    figures['warm bake: wall, s'] = Number(warm.wall.toFixed(1));
    const vmSeconds = warm.phases.packer ?? 0;
    const overhead = warm.wall - vmSeconds;
    figures['warm bake: amibake overhead outside Packer, s'] = Number(overhead.toFixed(1));
    figures['warm bake: overhead share of wall, % (goal <= 5)'] = Number(((100 * overhead) / warm.wall).toFixed(2));
    figures['base reuse saving, s'] = Number((cold.wall - warm.wall).toFixed(1));
    figures['amibake peak RSS without QEMU/Packer, MB (goal < 200)'] = Math.round(process.resourceUsage().maxRSS / 1024);
    return figures;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
