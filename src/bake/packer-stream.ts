// Parses Packer's -machine-readable lines: "timestamp,target,type,data..." with commas
// inside data written as %!(PACKER_COMMA) and newlines as literal "\n".

export interface PackerLine {
  timestamp: number;
  target: string;
  type: string;
  data: string[];
}

export interface PackerArtifact {
  builder: string;
  index: number;
  id?: string;
  files: string[];
  string?: string;
}

function unescapeField(field: string): string {
  return field.replaceAll('%!(PACKER_COMMA)', ',').replaceAll('\\n', '\n').replaceAll('\\r', '');
}

export function parsePackerLine(line: string): PackerLine | undefined {
  const fields = line.split(',');
  if (fields.length < 3 || !/^\d+$/.test(fields[0])) return undefined;
  return {
    timestamp: Number(fields[0]),
    target: fields[1],
    type: fields[2],
    data: fields.slice(3).map(unescapeField),
  };
}

// Collects artifact lines ("artifact,<index>,<key>,<value...>") into one record per index.
export class ArtifactCollector {
  private readonly byIndex = new Map<string, PackerArtifact>();

  add(line: PackerLine): void {
    if (line.type !== 'artifact' || line.data.length < 2) return;
    const [index, key, ...values] = line.data;
    const artifact = this.entry(line.target, index);
    if (key === 'builder-id') artifact.builder = values[0] ?? '';
    if (key === 'id') artifact.id = values.join(',');
    if (key === 'string') artifact.string = values.join(',');
    if (key === 'file') artifact.files.push(values.slice(1).join(','));
  }

  list(): PackerArtifact[] {
    return [...this.byIndex.values()];
  }

  private entry(target: string, index: string): PackerArtifact {
    const key = `${target}#${index}`;
    let artifact = this.byIndex.get(key);
    if (!artifact) {
      artifact = { builder: '', index: Number(index), files: [] };
      this.byIndex.set(key, artifact);
    }
    return artifact;
  }
}

// "us-east-1:ami-1,us-west-2:ami-2" -> { "us-east-1": "ami-1", "us-west-2": "ami-2" }
export function parseAmiIds(id: string): Record<string, string> {
  const amis: Record<string, string> = {};
  for (const pair of id.split(',')) {
    const [region, ami] = pair.split(':');
    if (region && ami && /^ami-[0-9a-f]+$/.test(ami.trim())) amis[region.trim()] = ami.trim();
  }
  return amis;
}

// A progress line for humans from a "ui" message, or undefined for noise.
export function progressText(line: PackerLine): string | undefined {
  if (line.type !== 'ui') return undefined;
  const [kind, text = ''] = line.data;
  const trimmed = text.replace(/\s+$/, '');
  if (trimmed === '') return undefined;
  if (kind === 'error') return `! ${trimmed}`;
  return trimmed;
}
