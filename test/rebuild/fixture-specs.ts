// Writes small, valid image specs into a temporary images directory for outdated, rebuild and
// schedule tests (never the repository's own images/).
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import YAML from 'yaml';

export interface FixtureSpec {
  name: string;
  /** AWS base; omit for a local-only spec. */
  aws?: { owners: string[]; nameFilter: string };
  local?: boolean;
  regions?: string[];
  schedule?: string;
  /** Changes the file's bytes (and so its hash) without changing its meaning. */
  note?: string;
}

export function specText(f: FixtureSpec): string {
  const targets: Record<string, unknown> = {};
  if (f.aws) {
    targets.aws = {
      base: {
        owners: f.aws.owners,
        name_filter: f.aws.nameFilter,
        virtualization: 'hvm',
        root_device: 'ebs',
        distro: 'debian',
      },
      instance_type: 't3.micro',
    };
  }
  if (f.local) targets.local = { release: 'bookworm' };
  const spec: Record<string, unknown> = {
    description: `Fixture ${f.name}${f.note ? ` (${f.note})` : ''}`,
    architecture: 'x86_64',
    targets,
  };
  if (f.regions) spec.publish = { public: false, regions: f.regions };
  if (f.schedule) spec.rebuild = { schedule: f.schedule };
  return YAML.stringify(spec);
}

export async function writeSpecs(dir: string, specs: FixtureSpec[]): Promise<void> {
  await mkdir(dir, { recursive: true });
  for (const f of specs) await writeFile(path.join(dir, `${f.name}.yaml`), specText(f));
}
