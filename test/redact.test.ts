import test from 'ava';
import { redact, registerSecret } from '../src/redact.js';

const macro = test.macro((t, input: string, leaked: string) => {
  const out = redact(input);
  t.false(out.includes(leaked), out);
  t.true(out.includes('[REDACTED]'));
});

test('a PEM private key block is masked', macro,
  'key:\n-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXk=\n-----END OPENSSH PRIVATE KEY-----\n', 'b3BlbnNzaC1rZXk=');
test('an access key id is masked', macro, 'using AKIAIOSFODNN7EXAMPLE now', 'AKIAIOSFODNN7EXAMPLE');
test('a secret access key assignment is masked', macro,
  'aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', 'wJalrXUtnFEMI');
test('a password assignment is masked', macro, 'mysql password=hunter22', 'hunter22');
test('a value registered at run time is masked anywhere', (t) => {
  registerSecret('s3cr3t-build-value');
  t.is(redact('echo s3cr3t-build-value;'), 'echo [REDACTED];');
});

test('names that merely contain a secret word are left alone', (t) => {
  t.is(redact('permissions:\n  id-token: write'), 'permissions:\n  id-token: write');
});
