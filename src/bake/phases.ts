// Times the phases of a build and records each one in the manifest as soon as it ends.
import type { BuildManifest } from '../manifest-types.js';
import { writeManifest } from './manifest.js';
import { info } from '../log.js';

export class PhaseRecorder {
  constructor(
    private readonly manifestFile: string,
    readonly manifest: BuildManifest,
  ) {}

  async run<T>(name: string, work: () => Promise<T>): Promise<T> {
    const start = performance.now();
    info(`==> ${name}`);
    try {
      return await work();
    } finally {
      const seconds = Math.round((performance.now() - start) / 10) / 100;
      this.manifest.phases[name] = seconds;
      await writeManifest(this.manifestFile, this.manifest);
      info(`<== ${name} (${seconds.toFixed(1)} s)`);
    }
  }

  async save(): Promise<void> {
    await writeManifest(this.manifestFile, this.manifest);
  }
}
