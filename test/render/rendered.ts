// Shared by the render tests: render a fixture into a temp dir and read the result back,
// including the order of its provisioners as compact names.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { RenderContext } from '../../src/render/context.js';
import { renderBuild } from '../../src/render/render.js';
import { contextFor, loadFixture, packer166, tempDir } from './fixtures.js';

export interface Block {
  kind: string;
  body: string;
}

export function provisioners(hcl: string): Block[] {
  return [...hcl.matchAll(/\n {2}provisioner "(\w+)" \{\n([\s\S]*?)\n {2}\}/g)].map((m) => ({
    kind: m[1],
    body: m[2],
  }));
}

// A compact name per provisioner: the script's base name or the file transfer's direction.
export function order(hcl: string): string[] {
  return provisioners(hcl).map((p) => {
    const script = /script\s+= "([^"]+)"/.exec(p.body)?.[1];
    if (script) return path.basename(script, '.sh');
    const source = /source\s+= "([^"]+)"/.exec(p.body)?.[1] ?? '';
    return `${p.body.includes('"download"') ? 'download' : 'upload'}:${path.basename(source)}`;
  });
}

/** An aws context whose base AMI is already resolved (as for SSM-named bases). */
export function resolved(baseAmi: string) {
  return { region: 'us-east-1', regions: ['us-east-1'], toolVersion: '0.1.0', baseAmi };
}

export async function render(
  name: string,
  target: 'local' | 'aws',
  extra: Partial<RenderContext> = {},
) {
  const root = await tempDir(`render-${name}`);
  const ctx = await contextFor(target, root, extra.packer ?? packer166, extra);
  const result = await renderBuild(await loadFixture(name), ctx);
  const hcl = await readFile(path.join(result.dir, 'build.pkr.hcl'), 'utf8');
  const read = (rel: string) => readFile(path.join(result.dir, rel), 'utf8');
  return { root, ctx, result, hcl, read };
}
