// Masks secrets in any text before it is printed or written to a log.

const PATTERNS: RegExp[] = [
  /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z0-9 ]*PRIVATE KEY-----/g,
  /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/g,
  /(aws_secret_access_key\s*[=:]\s*)[A-Za-z0-9/+=]{30,}/gi,
  // A key such as `id-token: write` is a name, not a secret: the key must start a word.
  /((?<![\w-])(?:password|passwd|secret|token)["']?\s*[=:]\s*["']?)[^\s"']{3,}/gi,
];

const registered = new Set<string>();

// Values known at run time (a generated password, a build key) are masked wherever they appear.
export function registerSecret(value: string): void {
  if (value.length >= 6) registered.add(value);
}

export function redact(text: string): string {
  let out = text;
  for (const secret of registered) out = out.split(secret).join('[REDACTED]');
  for (const pattern of PATTERNS) {
    out = out.replace(pattern, (match, prefix?: unknown) =>
      typeof prefix === 'string' && match.startsWith(prefix) ? `${prefix}[REDACTED]` : '[REDACTED]',
    );
  }
  return out;
}
