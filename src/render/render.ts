// Renders one image spec for one target into <outDir>: build.pkr.hcl, generated scripts/ and
// the files/ written from spec content. Same spec and context give byte-identical files.
import path from 'node:path';
import { RenderError } from '../errors.js';
import { buildDir } from '../paths.js';
import type { LoadedSpec } from '../spec/types.js';
import type { RenderContext, RenderResult } from './context.js';
import { formatHcl } from './hcl-format.js';
import { GUEST_SOURCES } from './guest-paths.js';
import { planProvisioners, type PlannedProvisioner } from './provisioner-plan.js';
import { amazonView, requireAws, sshUserFor } from './source-amazon.js';
import { qemuView, requireLocal } from './source-qemu.js';
import { TemplateEngine } from './template-engine.js';
import type { OutputFile } from './write-output.js';
import { writeOutput } from './write-output.js';

export type { RenderContext, RenderResult } from './context.js';

function scriptPath(name: string): string {
  return `scripts/${name}.sh`;
}

function label(name: string): string {
  return name.replace(/[^A-Za-z0-9_-]/g, '_');
}

function baseEnv(loaded: LoadedSpec, ctx: RenderContext): string[] {
  return [
    'DEBIAN_FRONTEND=noninteractive',
    `AMIBAKE_TARGET=${ctx.target}`,
    `AMIBAKE_ARCH=${loaded.spec.architecture}`,
    `AMIBAKE_SOURCES_DIR=${GUEST_SOURCES}`,
  ];
}

// Shell steps carry a script path and environment; uploads and downloads a source/destination.
function provisionerView(p: PlannedProvisioner, dir: string, env: string[]) {
  switch (p.kind) {
    case 'script':
      return { shell: { script: path.join(dir, scriptPath(p.script.name)), env }, file: null };
    case 'step':
      return { shell: { script: p.path, env: [...env, ...p.vars] }, file: null };
    case 'upload':
    case 'download':
      return {
        shell: null,
        file: { source: p.source, destination: p.destination, download: p.kind === 'download' },
      };
  }
}

function renderScripts(engine: TemplateEngine, provisioners: PlannedProvisioner[]): OutputFile[] {
  return provisioners.flatMap((p) => {
    if (p.kind !== 'script') return [];
    const content = engine.render(p.script.template, p.script.view);
    return [{ path: scriptPath(p.script.name), content, mode: 0o755 }];
  });
}

export async function renderBuild(loaded: LoadedSpec, ctx: RenderContext): Promise<RenderResult> {
  const dir = path.resolve(ctx.outDir ?? buildDir(loaded.name, ctx.target));
  const engine = new TemplateEngine();
  const id = label(loaded.name);
  let qemu = null;
  let amazon = null;
  let sshUser: string;
  if (ctx.target === 'local') {
    if (ctx.noProvision) throw new RenderError('--no-provision applies to the aws target only');
    sshUser = requireLocal(loaded, ctx).sshUser;
    qemu = qemuView(loaded, ctx, id);
  } else {
    sshUser = sshUserFor(requireAws(loaded, ctx).t);
    amazon = amazonView(loaded, ctx, id);
  }
  const plan = ctx.noProvision
    ? { provisioners: [], contentFiles: [] }
    : await planProvisioners(loaded, ctx, dir, sshUser);
  const env = baseEnv(loaded, ctx);
  const view = {
    modern: ctx.packer.modern,
    qemu,
    amazon,
    sources: [qemu ? `source.qemu.${id}` : `source.amazon-ebs.${id}`],
    provisioners: plan.provisioners.map((p) => provisionerView(p, dir, env)),
  };
  const hcl = formatHcl(engine.render('build.pkr.hcl.hbs', view));
  // build.pkr.hcl goes last: a render that fails half-way never leaves a new build file that
  // names scripts it did not write.
  const files: OutputFile[] = [
    ...renderScripts(engine, plan.provisioners),
    ...plan.contentFiles.map((f) => ({ path: f.path, content: f.content, mode: 0o600 })),
    { path: 'build.pkr.hcl', content: hcl, mode: 0o644 },
  ];
  const written = await writeOutput(dir, files);
  return {
    dir,
    files: written,
    templateHash: engine.templateHash(),
    ...(amazon ? { amiName: amazon.amiName } : {}),
  };
}
