// Removes a directory tree without ever crossing into a mount point below it.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

// mmdebstrap bind-mounts /dev and /sys into its rootfs while it runs; should one survive,
// --one-file-system makes rm fail instead of deleting the host's files through it.
export async function removeTree(dir: string): Promise<void> {
  await execFileAsync('rm', ['-rf', '--one-file-system', '--', dir]);
}
