// Masks secrets in any text before it is printed or written to a log, and names the kind of
// secret a text holds (so a spec check can warn without quoting it).

interface SecretPattern {
  kind: string;
  pattern: RegExp;
}

const PATTERNS: SecretPattern[] = [
  {
    kind: 'a private key',
    pattern: /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z0-9 ]*PRIVATE KEY-----/g,
  },
  { kind: 'an AWS access key id', pattern: /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/g },
  {
    kind: 'an AWS secret access key',
    pattern: /(aws_secret_access_key\s*[=:]\s*)[A-Za-z0-9/+=]{30,}/gi,
  },
  // A key such as `id-token: write` is a name, not a secret: the key must start a word.
  {
    kind: 'a password or token',
    pattern: /((?<![\w-])(?:password|passwd|secret|token)["']?\s*[=:]\s*["']?)[^\s"']{3,}/gi,
  },
];

const registered = new Set<string>();

// Values known at run time (a generated password, a build key) are masked wherever they appear.
export function registerSecret(value: string): void {
  if (value.length >= 6) registered.add(value);
}

export function redact(text: string): string {
  let out = text;
  for (const secret of registered) out = out.split(secret).join('[REDACTED]');
  for (const { pattern } of PATTERNS) {
    out = out.replace(pattern, (match, prefix?: unknown) =>
      typeof prefix === 'string' && match.startsWith(prefix) ? `${prefix}[REDACTED]` : '[REDACTED]',
    );
  }
  return out;
}

/** What kind of secret the text holds by the patterns above ("a private key"), if any. */
export function secretKind(text: string): string | undefined {
  for (const { kind, pattern } of PATTERNS) {
    pattern.lastIndex = 0;
    const found = pattern.test(text);
    pattern.lastIndex = 0;
    if (found) return kind;
  }
  return undefined;
}
