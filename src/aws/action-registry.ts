// Every AWS action amibake calls, and every one Packer's amazon-ebs builder calls for it,
// with the phases that need it: the single source for IAM policies and for `send`.

export type Phase = 'bake' | 'verify' | 'publish' | 'prune' | 'state' | 'doctor';
export type ActionService = 'ec2' | 's3' | 'sts' | 'ssm' | 'iam';
/**
 * How far an IAM policy can narrow the action (our reading of the AWS service authorization
 * reference): 'none' needs Resource "*" (every ec2:Describe*), 'resource' takes ARNs,
 * 'tag' takes ARNs and aws:ResourceTag / aws:RequestTag conditions.
 */
export type Scoping = 'none' | 'resource' | 'tag';

export interface ActionInfo {
  /** API call as "service:Operation", e.g. "ec2:DescribeImages". */
  action: string;
  service: ActionService;
  phases: Phase[];
  scoping: Scoping;
  by: 'amibake' | 'packer';
  /** IAM action to allow when it differs from the call (S3), or null when none is needed. */
  permission?: string | null;
  note?: string;
}

type Row = [action: string, phases: Phase[], scoping: Scoping, extra?: Partial<ActionInfo>];

// Calls made through send(). Verify and S3 rows serve the verification and state-store areas.
const AMIBAKE: Row[] = [
  ['ec2:DescribeImages', ['bake', 'verify', 'publish', 'prune', 'state', 'doctor'], 'none'],
  ['ec2:DescribeInstanceTypes', ['bake', 'verify', 'doctor'], 'none'],
  ['ec2:DescribeRegions', ['publish', 'prune', 'doctor'], 'none'],
  ['ec2:CopyImage', ['publish'], 'tag'],
  ['ec2:CreateTags', ['publish', 'verify'], 'tag'],
  ['ec2:ModifyImageAttribute', ['publish'], 'tag'],
  ['ec2:ModifySnapshotAttribute', ['publish'], 'tag'],
  ['ec2:DescribeImageAttribute', ['publish'], 'resource'],
  ['ec2:DescribeSnapshotAttribute', ['publish'], 'resource'],
  ['ec2:DeregisterImage', ['publish', 'prune'], 'tag'],
  ['ec2:DeleteSnapshot', ['publish', 'prune'], 'tag'],
  ['ec2:DescribeSnapshots', ['publish', 'prune'], 'none'],
  ['ec2:GetImageBlockPublicAccessState', ['publish', 'doctor'], 'none'],
  ['ec2:DescribeInstances', ['prune', 'verify'], 'none'],
  ['ec2:DescribeLaunchTemplates', ['prune'], 'none'],
  ['ec2:DescribeLaunchTemplateVersions', ['prune'], 'none'],
  ['ec2:RunInstances', ['verify'], 'tag'],
  ['ec2:TerminateInstances', ['verify'], 'tag'],
  ['ec2:DescribeInstanceStatus', ['verify'], 'none'],
  ['ec2:ImportKeyPair', ['verify'], 'tag'],
  ['ec2:DeleteKeyPair', ['verify'], 'tag'],
  ['ec2:CreateSecurityGroup', ['verify'], 'tag'],
  ['ec2:DeleteSecurityGroup', ['verify'], 'tag'],
  ['ec2:AuthorizeSecurityGroupIngress', ['verify'], 'tag'],
  ['ec2:DescribeSecurityGroups', ['verify'], 'none'],
  ['ec2:DescribeVpcs', ['verify'], 'none'],
  ['ec2:DescribeSubnets', ['verify'], 'none'],
  ['ec2:GetConsoleOutput', ['verify'], 'tag'],
  ['ssm:GetParameter', ['bake', 'state', 'doctor'], 'resource'],
  ['sts:GetCallerIdentity', ['bake', 'verify', 'publish', 'prune', 'state', 'doctor'], 'none', {
    permission: null,
    note: 'allowed for every identity; no policy grants or denies it',
  }],
  ['iam:SimulatePrincipalPolicy', ['doctor'], 'resource'],
  ['s3:GetObject', ['state'], 'resource'],
  ['s3:HeadObject', ['state'], 'resource', { permission: 's3:GetObject' }],
  ['s3:PutObject', ['state'], 'resource'],
  ['s3:DeleteObject', ['state'], 'resource'],
  ['s3:ListObjectsV2', ['state'], 'resource', { permission: 's3:ListBucket' }],
  // Appended by the least-privilege area (src/doctor, src/iam).
  ['ec2:CreateImage', ['doctor'], 'tag', { note: 'DryRun probe only; Packer creates the AMI' }],
  ['iam:ListAccessKeys', ['doctor'], 'resource', { note: 'iam-policy --user-self-service' }],
  ['iam:CreateAccessKey', ['doctor'], 'resource', { note: 'iam-policy --user-self-service' }],
  ['iam:DeleteAccessKey', ['doctor'], 'resource', { note: 'iam-policy --user-self-service' }],
];

// Packer 1.6.6 amazon-ebs, per its documented minimal policy; all in the bake phase.
const PACKER: Row[] = [
  ['ec2:AttachVolume', ['bake'], 'tag'],
  ['ec2:AuthorizeSecurityGroupIngress', ['bake'], 'tag'],
  ['ec2:CopyImage', ['bake'], 'tag'],
  ['ec2:CreateImage', ['bake'], 'tag'],
  ['ec2:CreateKeyPair', ['bake'], 'tag'],
  ['ec2:CreateSecurityGroup', ['bake'], 'tag'],
  ['ec2:CreateSnapshot', ['bake'], 'tag'],
  ['ec2:CreateTags', ['bake'], 'tag'],
  ['ec2:CreateVolume', ['bake'], 'tag'],
  ['ec2:DeleteKeyPair', ['bake'], 'tag'],
  ['ec2:DeleteSecurityGroup', ['bake'], 'tag'],
  ['ec2:DeleteSnapshot', ['bake'], 'tag'],
  ['ec2:DeleteVolume', ['bake'], 'tag'],
  ['ec2:DeregisterImage', ['bake'], 'tag'],
  ['ec2:DescribeImageAttribute', ['bake'], 'resource'],
  ['ec2:DescribeImages', ['bake'], 'none'],
  ['ec2:DescribeInstances', ['bake'], 'none'],
  ['ec2:DescribeInstanceStatus', ['bake'], 'none'],
  ['ec2:DescribeRegions', ['bake'], 'none'],
  ['ec2:DescribeSecurityGroups', ['bake'], 'none'],
  ['ec2:DescribeSnapshots', ['bake'], 'none'],
  ['ec2:DescribeSubnets', ['bake'], 'none'],
  ['ec2:DescribeTags', ['bake'], 'none'],
  ['ec2:DescribeVolumes', ['bake'], 'none'],
  ['ec2:DetachVolume', ['bake'], 'tag'],
  ['ec2:GetPasswordData', ['bake'], 'tag'],
  ['ec2:ModifyImageAttribute', ['bake'], 'tag'],
  ['ec2:ModifyInstanceAttribute', ['bake'], 'tag'],
  ['ec2:ModifySnapshotAttribute', ['bake'], 'tag'],
  ['ec2:RegisterImage', ['bake'], 'tag'],
  ['ec2:RunInstances', ['bake'], 'tag'],
  ['ec2:StopInstances', ['bake'], 'tag'],
  ['ec2:TerminateInstances', ['bake'], 'tag'],
  ['iam:PassRole', ['bake'], 'resource', { note: 'only when iam_instance_profile is set' }],
];

function toInfo(by: ActionInfo['by']) {
  return ([action, phases, scoping, extra]: Row): ActionInfo => ({
    action,
    service: action.split(':')[0] as ActionService,
    phases,
    scoping,
    by,
    ...extra,
  });
}

export const ACTIONS: readonly ActionInfo[] = [
  ...AMIBAKE.map(toInfo('amibake')),
  ...PACKER.map(toInfo('packer')),
];

/** The declaration of a call amibake itself makes, or undefined. */
export function declaredAction(action: string): ActionInfo | undefined {
  return ACTIONS.find((a) => a.by === 'amibake' && a.action === action);
}

/** IAM actions a phase needs (amibake's and Packer's), sorted and unique. */
export function permissionsFor(phase: Phase): string[] {
  const needed = ACTIONS.filter((a) => a.phases.includes(phase) && a.permission !== null)
    .map((a) => a.permission ?? a.action);
  return [...new Set(needed)].sort();
}
