// Turns a failed AWS call into one check line, telling apart keys that are wrong or expired
// from an identity that lacks an action (named, with the statement that grants it).
import { AwsError } from '../errors.js';
import { isCredentialCode, isPermissionCode } from '../aws/error-codes.js';
import { statementToAdd } from '../iam/policy.js';
import type { PolicyPhase, StateBucket } from '../iam/policy-types.js';
import { fail, firstLine, warnResult, type CheckResult } from './check-result.js';


export const CREDENTIALS_REMEDY =
  'the keys are wrong or expired: check AWS_PROFILE / AWS_ACCESS_KEY_ID and its secret,' +
  ' renew a session (aws sso login, new STS token), and check the clock for skew';

/** What the failing call needed: its IAM permission and the phase that needs it. */
export interface CallContext {
  permission: string;
  phase: PolicyPhase;
  state?: StateBucket;
}

export function codeOf(error: unknown): string | undefined {
  return error instanceof AwsError ? error.code : undefined;
}

export function isCredentialFailure(error: unknown): boolean {
  const code = codeOf(error);
  return code !== undefined && isCredentialCode(code);
}

export function isPermissionFailure(error: unknown): boolean {
  const code = codeOf(error);
  return isPermissionCode(code);
}

export function permissionResult(check: string, code: string, context: CallContext): CheckResult {
  const statement = statementToAdd(context.permission, context.phase, context.state);
  const grant = JSON.stringify(
    statement ?? { Effect: 'Allow', Action: [context.permission], Resource: '*' },
  );
  return {
    ...fail(check, `this identity lacks ${context.permission} (${code})`,
      `add this statement to its policy: ${grant}`),
    missingAction: context.permission,
    ...(statement ? { statement } : {}),
  };
}

export function diagnose(check: string, error: unknown, context: CallContext): CheckResult {
  const code = codeOf(error);
  const detail = firstLine(error instanceof AwsError && error.cause ? error.cause : error);
  if (code === 'CredentialsProviderError') {
    return fail(check, `no credentials could be loaded: ${detail}`,
      'set AWS_PROFILE to a configured profile, or export AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY');
  }
  if (isCredentialCode(code)) {
    return fail(check, `AWS rejected the credentials (${code}): ${detail}`, CREDENTIALS_REMEDY);
  }
  if (code && isPermissionCode(code)) return permissionResult(check, code, context);
  if (code === 'NotSupportedByEndpoint') {
    return warnResult(check, 'not supported by this endpoint (HTTP 500 without an error code)');
  }
  if (/region is missing/i.test(detail)) {
    return fail(check, 'no AWS region is configured', 'set AWS_REGION or region in the profile');
  }
  return fail(check, firstLine(error));
}
