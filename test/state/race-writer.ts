// Child process for the two-writer race: puts COUNT builds of IMAGE (ids PREFIX-n) at once,
// and bumps one shared build's counter COUNT times, all through openStateStore(URI).
import { openStateStore } from '../../src/state/store.js';
import { makeManifest } from './helpers.js';

const [uri, image, prefix, countText] = process.argv.slice(2);
const count = Number(countText);
const store = await openStateStore(uri);

await Promise.all(
  Array.from({ length: count }, async (_, n) => {
    const started = new Date(Date.UTC(2025, 0, 1, 0, 0, n)).toISOString();
    await store.put(makeManifest({ image, build_id: `${prefix}-${n}`, started_at: started }));
    await store.update(image, 'shared', (current) => {
      const base = current ?? makeManifest({ image, build_id: 'shared' });
      return { ...base, phases: { ...base.phases, [`${prefix}-${n}`]: n } };
    });
  }),
);
process.stdout.write('done\n');
