// Render contexts for `amibake render`, which previews a build without baking: a cached base
// disk is used when one exists, otherwise placeholder paths under the build dir (a bake passes
// real ones). The SSH key and the aws base AMI of SSM-named bases are placeholders too. The
// preview's own key and an empty sources directory are made, so `packer validate` passes.
import { existsSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { TOOL_VERSION } from '../bake/manifest.js';
import { detectAccelerator } from '../local/accel.js';
import { defaultRecipe, listBases, recipeHash } from '../local/base.js';
import { createBuildKey } from '../local/keys.js';
import { warn } from '../log.js';
import { buildDir } from '../paths.js';
import type { LoadedSpec, TargetName } from '../spec/types.js';
import type { LocalContext, RenderContext } from './context.js';
import type { PackerInfo } from './packer-version.js';
import { writeFailure } from './write-output.js';

export const PLACEHOLDER_SHA256 = '0'.repeat(64);
export const PLACEHOLDER_AMI = 'ami-00000000000000000';
/** The build id of every preview: a fixed one, so rendering twice gives the same bytes. */
export const PREVIEW_BUILD_ID = 'preview';
const PLACEHOLDER_KEY =
  'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIPLACEHOLDERPLACEHOLDERPLACEHOLDER amibake-render';

// Packer validate reads the key file; the preview keeps the placeholder public key on the
// kernel command line, so a new key does not change the rendered bytes. Made once, reused;
// made aside and renamed into place, so renders running at once never see half a key.
// Without ssh-keygen the preview still renders, only `packer validate` will not accept it.
async function previewKey(dir: string): Promise<string> {
  const file = path.join(dir, 'id_ed25519');
  if (existsSync(file)) return file;
  const aside = `${dir}.${process.pid}.tmp`;
  try {
    await createBuildKey(aside);
    await rename(aside, dir).catch(async (error: NodeJS.ErrnoException) => {
      await rm(aside, { recursive: true, force: true });
      // Another render put its key there first: use that one.
      if (!existsSync(file)) throw error;
    });
  } catch (error) {
    await rm(aside, { recursive: true, force: true }).catch(() => undefined);
    if (!(error as NodeJS.ErrnoException).syscall?.startsWith('spawn')) {
      throw writeFailure(dir, path.dirname(dir), error);
    }
    warn(`no placeholder SSH key for the preview (${(error as Error).message}); ` +
      'packer validate will ask for it');
  }
  return file;
}

async function placeholderDir(dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true });
  } catch (error) {
    throw writeFailure(dir, path.dirname(dir), error);
  }
}

async function localPreview(loaded: LoadedSpec, preview: string): Promise<LocalContext> {
  const release = loaded.spec.targets.local?.release ?? 'bookworm';
  const wanted = recipeHash(defaultRecipe(release));
  const base = (await listBases()).find((b) => b.recipeHash === wanted);
  const accel = await detectAccelerator();
  return {
    baseQcow2: base ? path.join(base.dir, 'base.qcow2') : path.join(preview, 'base.qcow2'),
    baseSha256: base?.sha256 ?? PLACEHOLDER_SHA256,
    kernel: path.join(base?.dir ?? preview, 'vmlinuz'),
    initrd: path.join(base?.dir ?? preview, 'initrd.img'),
    accelerator: accel.accelerator,
    sshPrivateKeyFile: await previewKey(path.join(preview, 'key')),
    sshPublicKey: PLACEHOLDER_KEY,
    sshUser: loaded.spec.targets.local?.ssh_user ?? base?.user ?? defaultRecipe(release).user,
    outputDir: path.join(preview, 'output'),
    serialLog: path.join(preview, 'serial.log'),
    kernelOutDir: path.join(preview, 'boot'),
  };
}

function awsPreview(loaded: LoadedSpec): NonNullable<RenderContext['aws']> {
  const region = process.env.AWS_REGION || process.env.AWS_DEFAULT_REGION || 'us-east-1';
  const base = loaded.spec.targets.aws?.base;
  const needsAmi = base !== undefined && !base.name_filter;
  if (needsAmi) {
    warn(`${loaded.name}: base AMI comes from SSM at bake time; preview uses ${PLACEHOLDER_AMI}`);
  }
  return {
    region,
    regions: [region],
    toolVersion: TOOL_VERSION,
    ...(needsAmi ? { baseAmi: PLACEHOLDER_AMI } : {}),
  };
}

export async function previewContext(
  loaded: LoadedSpec,
  target: TargetName,
  packer: PackerInfo,
  options: { buildId: string; noProvision: boolean },
): Promise<RenderContext> {
  const dir = buildDir(loaded.name, target);
  const preview = path.join(dir, 'preview');
  const ctx: RenderContext = { target, packer, buildId: options.buildId, outDir: dir };
  if ((loaded.spec.sources ?? []).length > 0) {
    ctx.sourcesDir = path.join(preview, 'sources');
    await placeholderDir(ctx.sourcesDir);
  }
  if (target === 'local') ctx.local = await localPreview(loaded, preview);
  else {
    ctx.aws = awsPreview(loaded);
    ctx.noProvision = options.noProvision;
  }
  return ctx;
}
