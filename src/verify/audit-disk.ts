// Audits a local artifact's disk as baked, without booting it: a verification boot would
// install its own SSH key and host keys, so the running system is not the artifact.
import type { AuditFinding } from '../manifest-types.js';
import { auditTree } from './audit.js';
import { mirrorDisk } from './disk-mirror.js';
import { info } from '../log.js';

export async function auditDisk(disk: string): Promise<AuditFinding[]> {
  const started = Date.now();
  const mirror = await mirrorDisk(disk);
  try {
    const findings = await auditTree(mirror.root);
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    info(`audit: ${mirror.files} files of ${disk} read offline in ${seconds} s`);
    return findings;
  } finally {
    await mirror.remove();
  }
}
