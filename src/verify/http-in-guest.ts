// An HTTP GET from inside the guest with whatever the guest has: curl, else python3, else
// bash's /dev/tcp. Every way prints the body and then one trailer line with the status.
import { shellQuote } from '../util/shell-quote.js';

export type HttpMethod = 'auto' | 'curl' | 'python3' | 'bash';

const TRAILER = 'AMIBAKE-HTTP';
// bash's /dev/tcp returns the raw response; this marker says "parse the status line yourself".
const RAW = 'AMIBAKE-RAW';

export interface HttpAnswer {
  status: number;
  body: string;
}

// Redirects are not followed by any method, so a status check means the same everywhere.
const PYTHON_GET = [
  'import sys, urllib.request, urllib.error',
  'class NoRedirect(urllib.request.HTTPRedirectHandler):',
  '    def redirect_request(self, *args, **kwargs):',
  '        return None',
  'opener = urllib.request.build_opener(NoRedirect)',
  'try:',
  '    r = opener.open(sys.argv[1], timeout=float(sys.argv[2]))',
  '    status, body = r.status, r.read()',
  'except urllib.error.HTTPError as e:',
  '    status, body = e.code, e.read()',
  'sys.stdout.buffer.write(body)',
  `sys.stdout.write("\\n${TRAILER} %d\\n" % status)`,
].join('\n');

function curlGet(url: string, seconds: number): string {
  const format = `\\n${TRAILER} %{http_code}\\n`;
  return `curl -sS -m ${seconds} -w ${shellQuote(format)} ${shellQuote(url)}`;
}

function pythonGet(url: string, seconds: number): string {
  return `python3 -c ${shellQuote(PYTHON_GET)} ${shellQuote(url)} ${seconds}`;
}

function bashGet(port: number, path: string): string {
  const crlf = '\\r\\n';
  const request = [`GET ${path} HTTP/1.0`, `Host: 127.0.0.1:${port}`, 'Connection: close', '', '']
    .join(crlf);
  const script = [
    `exec 3<>/dev/tcp/127.0.0.1/${port} || exit 7`,
    `echo ${RAW}`,
    `printf ${shellQuote(request)} >&3`,
    'cat <&3',
  ].join('\n');
  return `bash -c ${shellQuote(script)}`;
}

// The shell command for one GET of http://127.0.0.1:PORT/PATH inside the guest.
export function httpCommand(port: number, path: string, method: HttpMethod, seconds = 10): string {
  const url = `http://127.0.0.1:${port}${path}`;
  if (method === 'curl') return curlGet(url, seconds);
  if (method === 'python3') return pythonGet(url, seconds);
  if (method === 'bash') return bashGet(port, path);
  return [
    `if command -v curl >/dev/null 2>&1; then ${curlGet(url, seconds)}`,
    `elif command -v python3 >/dev/null 2>&1; then ${pythonGet(url, seconds)}`,
    `else ${bashGet(port, path)}; fi`,
  ].join('\n');
}

// Reads what httpCommand printed; undefined when no response came back at all.
export function parseHttpOutput(stdout: string): HttpAnswer | undefined {
  if (stdout.startsWith(`${RAW}\n`)) return parseRawResponse(stdout.slice(RAW.length + 1));
  const at = stdout.lastIndexOf(`\n${TRAILER} `);
  if (at < 0) return undefined;
  const status = Number.parseInt(stdout.slice(at + TRAILER.length + 2), 10);
  // curl reports 000 when it got no response.
  if (!Number.isFinite(status) || status === 0) return undefined;
  return { status, body: stdout.slice(0, at) };
}

function parseRawResponse(raw: string): HttpAnswer | undefined {
  const match = /^HTTP\/\d(?:\.\d)? (\d{3})/.exec(raw);
  if (!match) return undefined;
  const headerEnd = raw.indexOf('\r\n\r\n');
  const body = headerEnd < 0 ? '' : raw.slice(headerEnd + 4);
  return { status: Number(match[1]), body };
}
