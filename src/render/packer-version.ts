// Finds which Packer will run the build: `packer version`, or AMIBAKE_PACKER_VERSION to
// render for another Packer. `modern` (>= 1.7) gates required_plugins, IMDSv2 options etc.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { PackerError } from '../errors.js';

export interface PackerInfo {
  version: string;
  major: number;
  minor: number;
  patch: number;
  modern: boolean;
}

const run = promisify(execFile);

// Accepts "1.6.6", "v1.9.4" and Packer's own "Packer v1.6.6" banner.
export function parsePackerVersion(text: string): PackerInfo | undefined {
  const match = /(?:^|\s|v)(\d+)\.(\d+)\.(\d+)/.exec(text.trim());
  if (!match) return undefined;
  const [major, minor, patch] = [match[1], match[2], match[3]].map(Number);
  return {
    version: `${major}.${minor}.${patch}`,
    major,
    minor,
    patch,
    modern: major > 1 || (major === 1 && minor >= 7),
  };
}

function isMissingCommand(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
}

export async function detectPacker(): Promise<PackerInfo> {
  const override = process.env.AMIBAKE_PACKER_VERSION;
  if (override !== undefined && override !== '') {
    const info = parsePackerVersion(override);
    if (!info) {
      throw new PackerError(`AMIBAKE_PACKER_VERSION="${override}" is not a version like 1.6.6`);
    }
    return info;
  }
  let stdout: string;
  try {
    // CHECKPOINT_DISABLE keeps Packer from calling home to check for updates.
    ({ stdout } = await run('packer', ['version'], {
      env: { ...process.env, CHECKPOINT_DISABLE: '1' },
      timeout: 30_000,
    }));
  } catch (error) {
    if (isMissingCommand(error)) {
      throw new PackerError('packer is not installed (not found on PATH)', {
        hint:
          'install it with `apt-get install packer`, or set AMIBAKE_PACKER_VERSION to render only',
      });
    }
    const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new PackerError(`\`packer version\` failed: ${message}`, { cause: error });
  }
  const info = parsePackerVersion(stdout);
  if (!info) {
    throw new PackerError(`cannot read a version from \`packer version\`: ${stdout.trim()}`);
  }
  return info;
}
