// Run by write-output.test.ts in its own process: writes render number argv[3] into argv[2].
import { writeOutput } from '../../src/render/write-output.js';

const [dir, n] = process.argv.slice(2);
const scripts = Array.from({ length: 200 }, (_, i) => ({
  path: `scripts/s${i}.sh`,
  content: `# render ${n}\n`,
  mode: 0o755,
}));
const hcl = { path: 'build.pkr.hcl', content: `# render ${n}\n`, mode: 0o644 };
await writeOutput(dir, [...scripts, hcl]);
