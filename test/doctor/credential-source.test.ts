import test from 'ava';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { credentialCheck, findCredentialSource } from '../../src/doctor/credential-source.js';

let home: string;

test.before(async () => {
  home = await mkdtemp(path.join(os.tmpdir(), 'amibake-creds-'));
  await writeFile(path.join(home, 'credentials'), [
    '[default]', 'aws_access_key_id = AKIADEFAULT0000000000', 'aws_secret_access_key = s',
    '[ci]', 'aws_access_key_id=AKIACI00000000000000', 'aws_secret_access_key=s', '',
  ].join('\n'));
  await writeFile(path.join(home, 'config'), [
    '[profile deploy]', 'role_arn = arn:aws:iam::111122223333:role/amibake',
    'source_profile = ci', '[profile sso]', 'sso_session = corp', '[profile empty]',
    'region = eu-west-1', '',
  ].join('\n'));
});

test.after.always(async () => {
  await rm(home, { recursive: true, force: true });
});

function env(extra: Record<string, string>, files = true): NodeJS.ProcessEnv {
  return {
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_SHARED_CREDENTIALS_FILE: files ? path.join(home, 'credentials') : '/dev/null',
    AWS_CONFIG_FILE: files ? path.join(home, 'config') : '/dev/null',
    ...extra,
  };
}

test('environment keys are found and the secret is never shown', (t) => {
  const keys = { AWS_ACCESS_KEY_ID: 'AKIAENV0000000000000', AWS_SECRET_ACCESS_KEY: 'hush' };
  const e = env(keys, false);
  const source = findCredentialSource(e);
  t.is(source.kind, 'env');
  t.true(source.usable);
  t.false(JSON.stringify(source).includes('hush'));
  t.is(credentialCheck(source, e).status, 'ok');
});

test('AWS_PROFILE names the profile and its kind, and wins over env keys with a warning', (t) => {
  const e = env({ AWS_PROFILE: 'deploy', AWS_ACCESS_KEY_ID: 'AKIAENV0000000000000',
    AWS_SECRET_ACCESS_KEY: 'hush' });
  const source = findCredentialSource(e);
  t.is(source.kind, 'profile');
  t.regex(source.detail, /profile deploy \(role arn:aws:iam::111122223333:role\/amibake\)/);
  const result = credentialCheck(source, e);
  t.is(result.status, 'warn');
  t.regex(result.finding, /AWS_ACCESS_KEY_ID is set too and is ignored/);
  t.regex(findCredentialSource(env({ AWS_PROFILE: 'sso' })).detail, /\(SSO\)/);
});

test('a profile that does not exist, or holds no credentials, is a failure', (t) => {
  const missing = findCredentialSource(env({ AWS_PROFILE: 'nope' }));
  t.is(missing.kind, 'none');
  t.regex(missing.detail, /AWS_PROFILE=nope names no profile in/);
  t.is(credentialCheck(missing).status, 'fail');
  const empty = findCredentialSource(env({ AWS_PROFILE: 'empty' }));
  t.regex(empty.detail, /profile empty holds no credentials/);
});

test('the default profile is used when nothing else is set', (t) => {
  const source = findCredentialSource(env({}));
  t.deepEqual([source.kind, source.detail], ['profile', 'profile default (static keys)']);
});

test('container credentials and web identity are recognised', (t) => {
  const container = env({ AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: '/v2/credentials/x' }, false);
  t.is(findCredentialSource(container).kind, 'container');
  const token = { AWS_WEB_IDENTITY_TOKEN_FILE: '/t', AWS_ROLE_ARN: 'arn:aws:iam::1:role/r' };
  const web = env(token, false);
  t.is(findCredentialSource(web).kind, 'web-identity');
});

test('with nothing found and metadata disabled it says "none found" and fails', (t) => {
  const source = findCredentialSource(env({ AWS_ACCESS_KEY_ID: 'AKIAHALF000000000000' }, false));
  t.is(source.kind, 'none');
  t.false(source.usable);
  t.regex(source.detail, /^none found \(.*instance metadata is disabled/);
  t.regex(source.detail, /AWS_ACCESS_KEY_ID is set without AWS_SECRET_ACCESS_KEY/);
  const result = credentialCheck(source);
  t.is(result.status, 'fail');
  t.regex(result.remedy ?? '', /AWS_PROFILE/);
});

test('an instance role is only reported, never probed', (t) => {
  const e = env({}, false);
  delete e.AWS_EC2_METADATA_DISABLED;
  const source = findCredentialSource(e);
  t.is(source.kind, 'instance');
  t.false(source.usable, 'doctor makes no call that would reach the metadata service');
  t.is(credentialCheck(source, e).status, 'warn');
});
