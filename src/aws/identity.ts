// The account amibake's credentials belong to, asked once per process (STS needs no permission).
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { AwsError } from '../errors.js';
import { send, type Phase } from './actions.js';
import { stsClient } from './clients.js';

let account: Promise<string> | undefined;

export function callerAccount(phase: Phase, region?: string): Promise<string> {
  account ??= send(stsClient(region), new GetCallerIdentityCommand({}), { phase }).then((out) => {
    if (!out.Account) {
      throw new AwsError('STS returned no account id', { call: 'sts:GetCallerIdentity' });
    }
    return out.Account;
  });
  account.catch(() => {
    account = undefined;
  });
  return account;
}

/** Forgets the cached account, for tests that switch credentials. */
export function forgetCallerAccount(): void {
  account = undefined;
}
