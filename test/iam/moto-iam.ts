// Test helper: IAM users with a given policy in a moto server, and moto's IAM enforcement
// switch (POST /moto-api/reset-auth: "0" enforces from the next call, "inf" turns it off).
// moto checks actions only: resources are matched against "*" and conditions are ignored.
import {
  AttachUserPolicyCommand,
  CreateAccessKeyCommand,
  CreatePolicyCommand,
  CreateUserCommand,
  IAMClient,
} from '@aws-sdk/client-iam';
import type { PolicyDocument } from '../../src/iam/policy-types.js';

export interface AccessKey {
  accessKeyId: string;
  secretAccessKey: string;
}

export async function setEnforcement(endpoint: string, on: boolean): Promise<void> {
  const response = await fetch(`${endpoint}/moto-api/reset-auth`, {
    method: 'POST',
    headers: { 'content-type': 'text/plain' },
    body: on ? '0' : 'inf',
  });
  if (response.status !== 200) throw new Error(`moto reset-auth answered ${response.status}`);
}

// moto's own fake credentials, valid only while enforcement is off.
function adminIam(endpoint: string): IAMClient {
  return new IAMClient({
    region: 'us-east-1',
    endpoint,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    maxAttempts: 1,
  });
}

/** Creates a user holding `policy` as a managed policy, and an access key for it. */
export async function createUserWithPolicy(
  endpoint: string,
  userName: string,
  policy: PolicyDocument,
): Promise<AccessKey> {
  const iam = adminIam(endpoint);
  try {
    await iam.send(new CreateUserCommand({ UserName: userName }));
    const created = await iam.send(
      new CreatePolicyCommand({
        PolicyName: `${userName}-amibake`,
        PolicyDocument: JSON.stringify(policy),
      }),
    );
    const arn = created.Policy?.Arn ?? '';
    await iam.send(new AttachUserPolicyCommand({ UserName: userName, PolicyArn: arn }));
    const key = (await iam.send(new CreateAccessKeyCommand({ UserName: userName }))).AccessKey;
    return { accessKeyId: key?.AccessKeyId ?? '', secretAccessKey: key?.SecretAccessKey ?? '' };
  } finally {
    iam.destroy();
  }
}

/** The policy with `action` taken out of every statement (statements left empty dropped). */
export function withoutAction(policy: PolicyDocument, action: string): PolicyDocument {
  const Statement = policy.Statement.map((s) => ({
    ...s,
    Action: s.Action.filter((a) => a !== action),
  })).filter((s) => s.Action.length > 0);
  return { ...policy, Statement };
}
