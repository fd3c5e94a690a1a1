// The build manifest written beside every bake's artifact and kept in the state store.
import type { TargetName } from './spec/types.js';

export type BuildStatus = 'running' | 'succeeded' | 'failed' | 'interrupted';

export interface ArtifactFile {
  /** Path relative to the build directory. */
  file: string;
  sha256: string;
  bytes: number;
}

export interface SmokeResult {
  name: string;
  type: 'sql' | 'http' | 'command' | 'service';
  passed: boolean;
  expected: string;
  actual: string;
  seconds: number;
}

export interface AuditFinding {
  kind:
    | 'authorized_keys'
    | 'ssh_host_key'
    | 'private_key'
    | 'shell_history'
    | 'cloud_credentials'
    | 'root_password'
    | 'build_key'
    | 'package_cache'
    | 'cloud_init_state';
  path: string;
  detail: string;
}

export interface Verification {
  status: 'passed' | 'failed';
  at: string;
  results: SmokeResult[];
  audit: AuditFinding[];
}

export interface PublishRecord {
  status: 'published' | 'failed' | 'rolled_back' | 'partial';
  at: string;
  public: boolean;
  /** region -> AMI id that exists there now. */
  amis: Record<string, string>;
  reason?: string;
}

export interface BuildManifest {
  schema: 1;
  build_id: string;
  image: string;
  target: TargetName;
  status: BuildStatus;
  reason?: string;
  started_at: string;
  finished_at?: string;
  spec_hash: string;
  template_hash?: string;
  /** local: the base recipe hash and disk sha256; aws: the resolved source AMI per region. */
  base: { recipe_hash?: string; sha256?: string; ami?: Record<string, string> };
  packer_version?: string;
  accelerator?: 'kvm' | 'tcg';
  /** Seconds spent in each phase, in the order they ran. */
  phases: Record<string, number>;
  artifacts: ArtifactFile[];
  /** aws: region -> AMI id made by the bake. */
  amis?: Record<string, string>;
  verification?: Verification;
  publish?: PublishRecord;
  tool_version: string;
}
