// The shape of the IAM policy documents amibake generates, and the options that choose one.
import type { Phase } from '../aws/action-registry.js';

/** Phases a policy can be generated for; `doctor` only probes what these already need. */
export const POLICY_PHASES = ['bake', 'verify', 'publish', 'prune', 'state'] as const;
export type PolicyPhase = (typeof POLICY_PHASES)[number] & Phase;

/** tags: narrow amibake's own calls by the amibake:image tag; account: every action on "*". */
export type PolicyScope = 'tags' | 'account';

export type ConditionBlock = Record<string, Record<string, string | string[]>>;

export interface PolicyStatement {
  Sid: string;
  Effect: 'Allow';
  Action: string[];
  Resource: string | string[];
  Condition?: ConditionBlock;
}

export interface PolicyDocument {
  Version: '2012-10-17';
  Statement: PolicyStatement[];
}

export interface StateBucket {
  bucket: string;
  /** Without leading or trailing slashes; '' for the whole bucket. */
  prefix: string;
}

export interface PolicyOptions {
  phases: readonly PolicyPhase[];
  scope: PolicyScope;
  /** Adds a statement letting an IAM user manage only their own access keys. */
  userSelfService?: boolean;
  /** Narrows S3 actions to this bucket and prefix; without it they apply to any bucket. */
  state?: StateBucket;
}
