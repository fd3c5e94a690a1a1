// What a render needs beyond the spec (target, Packer, build id, host paths) and what it returns.
import type { TargetName } from '../spec/types.js';
import type { PackerInfo } from './packer-version.js';

export interface LocalContext {
  baseQcow2: string;
  baseSha256: string;
  kernel: string;
  initrd: string;
  accelerator: 'kvm' | 'tcg';
  sshPrivateKeyFile: string;
  sshPublicKey: string;
  sshUser: string;
  /** Packer's qemu output_directory; must not exist yet when Packer validates or builds. */
  outputDir: string;
  serialLog: string;
  memory?: number;
  cpus?: number;
  /** Host directory the baked kernel and initrd are downloaded into (Packer creates it). */
  kernelOutDir: string;
  /** Offline bakes: host directory of .deb files fetched for the guest, installed from there. */
  offlinePackagesDir?: string;
}

export interface AwsContext {
  region: string;
  /** Every region the AMI should exist in after the bake; `region` itself may be listed. */
  regions: string[];
  endpointEc2?: string;
  sshHost?: string;
  sshPort?: string;
  /** With sshHost: log in as this user with this key instead of a temporary key pair (a
   * stand-in machine for the build instance, which already trusts the key). */
  sshUser?: string;
  sshPrivateKeyFile?: string;
  toolVersion: string;
  /** An AMI id resolved beforehand (SSM bases); replaces source_ami_filter. */
  baseAmi?: string;
}

export interface RenderContext {
  target: TargetName;
  packer: PackerInfo;
  /** Unique per build, e.g. 20261204t155300-ab12cd; part of the AMI name. */
  buildId: string;
  /** Default: buildDir(name, target). */
  outDir?: string;
  /** aws only: communicator "none" and no provisioners. */
  noProvision?: boolean;
  /** local only: restrict=on on the QEMU netdev, so the guest has no network. */
  offline?: boolean;
  local?: LocalContext;
  aws?: AwsContext;
  /** Host directory holding the downloaded, verified sources; needed when the spec has sources. */
  sourcesDir?: string;
  /** Where step scripts live; default provisionersDir(). Added for fixtures in tests. */
  provisionersDir?: string;
}

export interface RenderResult {
  dir: string;
  /** Paths relative to `dir` of every file written, sorted. */
  files: string[];
  templateHash: string;
  amiName?: string;
}
