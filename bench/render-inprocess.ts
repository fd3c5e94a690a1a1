// Child of bench/render.ts: times loading the render command and then running it once, in a
// fresh process, and reports both on stderr's last line as JSON.
import { performance } from 'node:perf_hooks';

const start = performance.now();
const { run } = await import('../src/cli/commands/render.js');
const loaded = performance.now();
const code = await run(['--all', '--json']);
const done = performance.now();
process.stderr.write(`\n${JSON.stringify({ code, loadMs: loaded - start, renderMs: done - loaded })}\n`);
