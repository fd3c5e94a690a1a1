// `npm run bench`: prints every benchmark's figures. The local-bake benchmark takes about ten
// minutes (two real bakes under TCG), so it runs only with --bake (npm run bench -- --bake).
import { benchRender } from './render.js';
import { benchOutdated } from './outdated.js';

function print(title: string, figures: Record<string, number | string>): void {
  process.stdout.write(`\n${title}\n`);
  for (const [key, value] of Object.entries(figures)) process.stdout.write(`  ${key.padEnd(58)} ${value}\n`);
}

const withBake = process.argv.includes('--bake');

print('render (all specs, all targets)', await benchRender());
print('outdated (4 specs x 3 regions, moto)', await benchOutdated());
if (withBake) {
  const { benchLocalBake } = await import('./local-bake.js');
  print('local bake of the demo image (cold base, then reused base)', await benchLocalBake());
} else {
  process.stdout.write('\nlocal bake: skipped (about 10 minutes); run npm run bench -- --bake\n');
}
