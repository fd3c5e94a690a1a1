// Lets an IAM user list, create and delete their own access keys and nobody else's, so keys can
// be rotated without an administrator. ${aws:username} is set for IAM users only (not roles).
import { actionList } from './action-names.js';
import type { PolicyStatement } from './policy-types.js';

export const SELF_SERVICE_ACTIONS = [
  'iam:CreateAccessKey',
  'iam:DeleteAccessKey',
  'iam:ListAccessKeys',
] as const;

// IAM expands the variable at evaluation time; it needs policy Version 2012-10-17.
export const OWN_USER_ARN = 'arn:aws:iam::*:user/${aws:username}';

export function selfServiceStatement(): PolicyStatement {
  return {
    Sid: 'UserSelfServiceAccessKeys',
    Effect: 'Allow',
    Action: actionList(SELF_SERVICE_ACTIONS),
    Resource: OWN_USER_ARN,
  };
}
