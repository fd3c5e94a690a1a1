// Benchmark: the cold wall time of rendering every spec for every target it declares, in a
// fresh Node process (module loading and template compilation included), as the CLI does it.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { repoRoot } from '../src/paths.js';

const RUNS = 5;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

// Splits a cold render into module loading and the render itself, each in a fresh process.
function inProcessParts(): { load: number[]; render: number[] } {
  const load: number[] = [];
  const render: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    const buildRoot = mkdtempSync(path.join(os.tmpdir(), 'amibake-bench-render-'));
    const result = spawnSync('node', ['--import', 'tsx', 'bench/render-inprocess.ts'], {
      cwd: repoRoot,
      env: { ...process.env, AMIBAKE_BUILD_DIR: buildRoot, AMIBAKE_PACKER_VERSION: '1.6.6' },
      encoding: 'utf8',
    });
    rmSync(buildRoot, { recursive: true, force: true });
    const figures = JSON.parse(result.stderr.trim().split('\n').at(-1) ?? '{}') as { code: number; loadMs: number; renderMs: number };
    if (result.status !== 0 || figures.code !== 0) throw new Error(`in-process render failed: ${result.stderr}`);
    load.push(figures.loadMs / 1000);
    render.push(figures.renderMs / 1000);
  }
  return { load, render };
}

// Each run renders into an empty build root, so nothing is reused between runs.
export async function benchRender(): Promise<Record<string, number | string>> {
  const walls: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    const buildRoot = mkdtempSync(path.join(os.tmpdir(), 'amibake-bench-render-'));
    const start = performance.now();
    const result = spawnSync('node', ['bin/amibake.js', 'render', '--all', '--json'], {
      cwd: repoRoot,
      env: { ...process.env, AMIBAKE_BUILD_DIR: buildRoot, AMIBAKE_PACKER_VERSION: '1.6.6' },
      encoding: 'utf8',
    });
    walls.push((performance.now() - start) / 1000);
    rmSync(buildRoot, { recursive: true, force: true });
    if (result.status !== 0) throw new Error(`render --all failed: ${result.stderr}`);
  }
  const parts = inProcessParts();
  const nodeStart = performance.now();
  spawnSync('node', ['-e', '0']);
  const bareNode = (performance.now() - nodeStart) / 1000;
  return {
    'render --all, cold CLI wall (median of 5), s': Number(median(walls).toFixed(3)),
    'render --all, cold CLI wall (max), s': Number(Math.max(...walls).toFixed(3)),
    'bare node start for comparison, s': Number(bareNode.toFixed(3)),
    'in a fresh process: loading the modules (tsx), s': Number(median(parts.load).toFixed(3)),
    'in a fresh process: rendering every spec and target, s': Number(median(parts.render).toFixed(3)),
    goal: 'under 0.5 s',
  };
}
