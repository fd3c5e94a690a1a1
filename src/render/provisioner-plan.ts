// The ordered provisioners of a build and the generated scripts they run: prepare, uploads,
// packages, files, steps, (local) kernel export and download, and cleanup last.
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { RenderError } from '../errors.js';
import { provisionersDir } from '../paths.js';
import type { LoadedSpec } from '../spec/types.js';
import type { RenderContext } from './context.js';
import { GUEST_BOOT_EXPORT, GUEST_FILES, GUEST_SOURCES, GUEST_DEBS, GUEST_STAGING } from './guest-paths.js';
import {
  checkFiles,
  checkSources,
  fileSourcePath,
  forTarget,
  stepVars,
  targetPackages,
} from './spec-parts.js';

/** A script amibake writes into <outDir>/scripts/ from a template. */
export interface ScriptPlan {
  name: string;
  template: string;
  view: Record<string, unknown>;
}

export type PlannedProvisioner =
  | { kind: 'script'; script: ScriptPlan }
  | { kind: 'step'; path: string; vars: string[] }
  | { kind: 'upload'; source: string; destination: string }
  | { kind: 'download'; source: string; destination: string };

/** A file entry's `content`, written to <outDir>/<path> before it is uploaded. */
export interface ContentFile {
  path: string;
  content: string;
}

export interface Plan {
  provisioners: PlannedProvisioner[];
  contentFiles: ContentFile[];
}

export function usesApt(loaded: LoadedSpec, ctx: RenderContext): boolean {
  return ctx.target === 'local' || loaded.spec.targets.aws?.base.distro !== 'amazon';
}

function script(name: string, template: string, view: Record<string, unknown>): PlannedProvisioner {
  return { kind: 'script', script: { name, template, view } };
}

// Staged names keep the spec index (stable across targets) and a tame form of the file name.
function stagedName(index: number, destination: string): string {
  return `${index}-${path.posix.basename(destination).replace(/[^A-Za-z0-9._-]/g, '_')}`;
}

async function planFiles(loaded: LoadedSpec, ctx: RenderContext, dir: string, plan: Plan) {
  const files = checkFiles(loaded.spec, ctx.target);
  const installs: Record<string, string>[] = [];
  for (const f of files) {
    const staged = `${GUEST_FILES}/${stagedName(f.index, f.entry.destination)}`;
    let source: string;
    if (f.entry.content !== undefined) {
      const rel = `files/${stagedName(f.index, f.entry.destination)}`;
      plan.contentFiles.push({ path: rel, content: f.entry.content });
      source = path.join(dir, rel);
    } else {
      source = fileSourcePath(loaded.file, f.entry.source as string);
      const info = await stat(source).catch(() => undefined);
      if (!info?.isFile()) throw new RenderError(`file source ${source} does not exist`);
    }
    plan.provisioners.push({ kind: 'upload', source, destination: staged });
    installs.push({ staged, destination: f.entry.destination, mode: f.mode, owner: f.owner });
  }
  return installs;
}

async function planSteps(loaded: LoadedSpec, ctx: RenderContext): Promise<PlannedProvisioner[]> {
  const dir = ctx.provisionersDir ?? provisionersDir();
  const steps: PlannedProvisioner[] = [];
  for (const step of forTarget(loaded.spec.steps, ctx.target)) {
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(step.script)) {
      throw new RenderError(`step script "${step.script}" must be a plain name`);
    }
    const file = path.join(dir, `${step.script}.sh`);
    const info = await stat(file).catch(() => undefined);
    if (!info?.isFile()) throw new RenderError(`step script ${file} does not exist`);
    steps.push({ kind: 'step', path: file, vars: stepVars(step) });
  }
  return steps;
}

function planSources(loaded: LoadedSpec, ctx: RenderContext): PlannedProvisioner[] {
  const sources = checkSources(loaded.spec);
  if (sources.length === 0) return [];
  if (!ctx.sourcesDir) {
    throw new RenderError(`image "${loaded.name}" has sources but no sources directory was given`);
  }
  const view = {
    sourcesDir: GUEST_SOURCES,
    sources: sources.map((s) => ({
      name: s.name,
      sha256: s.sha256,
      destination:
        s.destination && s.destination !== GUEST_SOURCES
          ? path.posix.join(s.destination, s.name)
          : null,
    })),
  };
  // A trailing slash uploads the directory's contents into the staging directory.
  const upload = `${path.resolve(ctx.sourcesDir)}/`;
  return [
    { kind: 'upload', source: upload, destination: GUEST_SOURCES },
    script('sources', 'sources.sh.hbs', view),
  ];
}

function planBootExport(ctx: RenderContext): PlannedProvisioner[] {
  if (ctx.target !== 'local' || !ctx.local) return [];
  const out = path.resolve(ctx.local.kernelOutDir);
  return [
    script('boot-export', 'boot-export.sh.hbs', { bootDir: GUEST_BOOT_EXPORT }),
    { kind: 'download', source: `${GUEST_BOOT_EXPORT}/vmlinuz`, destination: `${out}/vmlinuz` },
    {
      kind: 'download',
      source: `${GUEST_BOOT_EXPORT}/initrd.img`,
      destination: `${out}/initrd.img`,
    },
  ];
}

export async function planProvisioners(
  loaded: LoadedSpec,
  ctx: RenderContext,
  dir: string,
  sshUser: string,
): Promise<Plan> {
  const plan: Plan = { provisioners: [], contentFiles: [] };
  const apt = usesApt(loaded, ctx);
  const staging = {
    stagingDir: GUEST_STAGING,
    filesDir: GUEST_FILES,
    sourcesDir: GUEST_SOURCES,
    debsDir: GUEST_DEBS,
  };
  const prepare = { ...staging, apt, online: !ctx.offline };
  plan.provisioners.push(script('prepare', 'prepare.sh.hbs', prepare));
  const installs = await planFiles(loaded, ctx, dir, plan);
  plan.provisioners.push(...planSources(loaded, ctx));

  const packages = targetPackages(loaded.spec, ctx.target);
  const debconf = loaded.spec.debconf ?? [];
  if (debconf.length > 0 && !apt) {
    throw new RenderError(`image "${loaded.name}" has debconf answers but its base has no apt`);
  }
  if (packages.length > 0 || debconf.length > 0) {
    const debs = ctx.offline ? ctx.local?.offlinePackagesDir : undefined;
    if (debs) plan.provisioners.push({ kind: 'upload', source: `${path.resolve(debs)}/`, destination: GUEST_DEBS });
    const view = { apt, packages, debconf, localDebs: debs ? GUEST_DEBS : null };
    plan.provisioners.push(script('packages', 'packages.sh.hbs', view));
  }
  if (installs.length > 0) {
    plan.provisioners.push(script('files', 'files.sh.hbs', { files: installs }));
  }
  plan.provisioners.push(...(await planSteps(loaded, ctx)));
  plan.provisioners.push(...planBootExport(ctx));
  const cleanup = { apt, stagingDir: GUEST_STAGING, bootDir: GUEST_BOOT_EXPORT, sshUser };
  plan.provisioners.push(script('cleanup', 'cleanup.sh.hbs', cleanup));
  return plan;
}
