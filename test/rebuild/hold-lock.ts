// Child process: takes the rebuild lock of IMAGE in the store at URI, says "held", and keeps it
// until killed (a SIGKILL leaves the lock behind, as a crashed run would).
import { openStateStore } from '../../src/state/store.js';
import { lockName } from '../../src/rebuild/rebuild.js';

const [uri, image] = process.argv.slice(2);
const store = await openStateStore(uri);
await store.lock(lockName(image), `amibake rebuild of ${image}`);
process.stdout.write('held\n');
setInterval(() => undefined, 60_000);
