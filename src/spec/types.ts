// The shape of an image spec after validation (images/<name>.yaml). The JSON schema in
// schema.ts is the source of truth for what is accepted; these types mirror it.
import type { SpecProblem } from '../errors.js';

export type Architecture = 'x86_64' | 'i386' | 'arm64';
export type TargetName = 'aws' | 'local';
export const TARGETS: readonly TargetName[] = ['aws', 'local'];

export interface AwsBase {
  /** Account ids (strings of 12 digits) or aliases such as "amazon"; required. */
  owners: string[];
  /** AMI name filter, e.g. "ubuntu/images/hvm-ssd/ubuntu-jammy-22.04-amd64-server-*". */
  name_filter?: string;
  /** An SSM parameter path that names the AMI id instead of a name filter. */
  ssm_parameter?: string;
  virtualization: 'hvm' | 'paravirtual';
  root_device: 'ebs' | 'instance-store';
  /** The distribution of the base, used to derive the SSH user. */
  distro: 'ubuntu' | 'debian' | 'amazon';
  /** Why this base may no longer resolve; printed with the failure. */
  availability_note?: string;
}

export interface AwsTarget {
  base: AwsBase;
  instance_type: string;
  ssh_user?: string;
  /** Root volume size in GiB. */
  volume_size?: number;
  encrypted?: boolean;
  packages?: string[];
}

export interface LocalTarget {
  /** Debian release the base disk is made from, e.g. "bookworm". */
  release: string;
  ssh_user?: string;
  /** Guest memory in MiB. */
  memory?: number;
  cpus?: number;
  packages?: string[];
}

export interface Source {
  /** File name the download is stored and uploaded as. */
  name: string;
  url: string;
  sha256: string;
  /** Guest directory the file is uploaded to; default /tmp/amibake/sources. */
  destination?: string;
  availability_note?: string;
}

export interface Step {
  /** Name of a script in provisioners/ without ".sh". */
  script: string;
  description?: string;
  /** Environment given to the script; names are shell identifiers, values strings. */
  vars?: Record<string, string>;
  /** Limit the step to these targets; default all. */
  targets?: TargetName[];
}

export interface FileEntry {
  destination: string;
  /** Path relative to images/files/. */
  source?: string;
  content?: string;
  /** Octal mode as a string, e.g. "0644". */
  mode?: string;
  owner?: string;
  targets?: TargetName[];
}

interface SmokeBase {
  name: string;
  targets?: TargetName[];
  /** Seconds to keep retrying until the check passes; default 60. */
  timeout?: number;
}

export interface SqlSmoke extends SmokeBase {
  type: 'sql';
  query: string;
  expect: string;
  client?: 'mysql' | 'drizzle';
}

export interface HttpSmoke extends SmokeBase {
  type: 'http';
  /** Path on the guest, e.g. "/info.php". */
  path: string;
  /** Guest port as a string, e.g. "80". */
  port?: string;
  status?: number;
  body_contains?: string;
}

export interface CommandSmoke extends SmokeBase {
  type: 'command';
  run: string;
  exit_code?: number;
  output?: string;
  output_contains?: string;
}

export interface ServiceSmoke extends SmokeBase {
  type: 'service';
  unit: string;
}

export type SmokeTest = SqlSmoke | HttpSmoke | CommandSmoke | ServiceSmoke;

export interface Publish {
  public: boolean;
  regions: string[];
  accounts?: string[];
  organizations?: string[];
  tags?: Record<string, string>;
}

export interface Rebuild {
  /** Five-field cron expression. */
  schedule: string;
  retention?: { keep: number; older_than_days?: number };
}

export interface Spec {
  description: string;
  architecture: Architecture;
  targets: { aws?: AwsTarget; local?: LocalTarget };
  packages?: string[];
  /** Debconf selections, "package question type value" lines (mysql-server root password). */
  debconf?: string[];
  sources?: Source[];
  steps?: Step[];
  files?: FileEntry[];
  smoke?: SmokeTest[];
  publish?: Publish;
  rebuild?: Rebuild;
}

export interface LoadedSpec {
  /** File name without ".yaml". */
  name: string;
  /** Absolute path of the spec file. */
  file: string;
  spec: Spec;
  /** sha256 of the spec file's bytes. */
  hash: string;
  /** Things that do not stop a build but deserve a look (values that look like secrets). */
  warnings?: SpecProblem[];
}
