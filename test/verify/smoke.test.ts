import test from 'ava';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { SmokeTest } from '../../src/spec/types.js';
import { runSmokeTests } from '../../src/verify/smoke.js';
import { formatResults } from '../../src/verify/format.js';
import { localShellExec } from '../../src/verify/guest.js';
import { fakeGuest, writeScript, type FakeGuest } from './fake-guest.js';

let guest: FakeGuest;
let server: http.Server;
let port: number;

test.before(async () => {
  guest = await fakeGuest();
  server = http.createServer((req, res) => {
    if (req.url === '/info.php') {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<h1>PHP Version 8.2.7</h1>');
    } else if (req.url === '/old') {
      res.writeHead(302, { location: '/info.php' });
      res.end();
    } else {
      res.writeHead(404);
      res.end('not here');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

test.after.always(async () => {
  await new Promise((resolve) => server.close(resolve));
  await rm(guest.dir, { recursive: true, force: true });
});

const quick = { target: 'local' as const, intervalMs: 100 };
const FILMS = 'select count(*) from sakila.film';

// Tests run at once and share the fake client's log: look for one call among all.
async function mysqlWasCalledWith(args: string[]): Promise<boolean> {
  const lines = (await readFile(guest.mysqlLog, 'utf8')).trim().split('\n');
  return lines.some((l) => l === JSON.stringify(args));
}

test('an sql check passes when the client prints exactly the expected value', async (t) => {
  const [r] = await runSmokeTests(
    [{ name: 'films', type: 'sql', query: FILMS, expect: '1000' }],
    guest.exec,
    quick,
  );
  t.true(r.passed);
  t.is(r.actual, '1000');
  t.is(r.expected, '1000');
  t.is(r.type, 'sql');
  t.true(await mysqlWasCalledWith(['-N', '-B', '-e', FILMS]));
});

test('an sql check expecting 1001 fails and shows expected against actual', async (t) => {
  const smoke: SmokeTest = { name: 'films', type: 'sql', query: FILMS, expect: '1001', timeout: 1 };
  const [r] = await runSmokeTests([smoke], guest.exec, quick);
  t.false(r.passed);
  t.is(r.expected, '1001');
  t.is(r.actual, '1000');
  const table = formatResults([r]);
  t.regex(table, /FAIL\s+films\s+sql\s+1001\s+1000/);
  t.regex(table, /0 of 1 smoke tests passed/);
});

test('an sql query with quotes and dollars reaches the client unchanged', async (t) => {
  const query = `select 'it''s' as "$HOME", \`x\` from t where a = "b" and c = '$(id)'`;
  const smoke: SmokeTest = { name: 'q', type: 'sql', query, expect: 'x', timeout: 1 };
  const [r] = await runSmokeTests([smoke], guest.exec, quick);
  t.false(r.passed);
  t.regex(r.actual, /exit 1: ERROR 1146/);
  t.true(await mysqlWasCalledWith(['-N', '-B', '-e', query]));
});

test('exit 0 with no value does not pass an sql check', async (t) => {
  const bin = path.join(guest.dir, 'silent');
  await import('node:fs/promises').then((fs) => fs.mkdir(bin, { recursive: true }));
  await writeScript(path.join(bin, 'mysql'), 'exit 0');
  await writeScript(path.join(bin, 'sudo'), '[ "$1" = -n ] && shift\nexec "$@"');
  const exec = localShellExec({ env: { ...process.env, PATH: `${bin}:${process.env.PATH}` } });
  const smoke: SmokeTest = { name: 'q', type: 'sql', query: 'select 1', expect: '1', timeout: 1 };
  const [r] = await runSmokeTests([smoke], exec, quick);
  t.false(r.passed);
  t.is(r.actual, '');
});

for (const method of ['curl', 'python3', 'bash', 'auto'] as const) {
  test(`http from inside the guest with ${method} checks status and body`, async (t) => {
    const p = String(port);
    const tests: SmokeTest[] = [
      { name: 'info', type: 'http', path: '/info.php', port: p, body_contains: 'PHP Version' },
      { name: 'wrong', type: 'http', path: '/info.php', port: p, body_contains: 'Py', timeout: 1 },
      { name: 'missing', type: 'http', path: '/nope', port: p, status: 404 },
      { name: 'redirect', type: 'http', path: '/old', port: p, status: 302 },
    ];
    const results = await runSmokeTests(tests, guest.exec, { ...quick, httpMethod: method });
    t.deepEqual(results.map((r) => r.passed), [true, false, true, true]);
    t.is(results[0].actual, 'status 200, body contains it');
    t.is(results[1].expected, 'status 200, body contains "Py"');
    t.regex(results[1].actual, /^status 200, body "<h1>PHP Version 8\.2\.7<\/h1>"$/);
  });
}

test('http to a port nobody listens on fails with no response', async (t) => {
  const closed = http.createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  const deadPort = (closed.address() as AddressInfo).port;
  await new Promise((resolve) => closed.close(resolve));
  const [r] = await runSmokeTests(
    [{ name: 'dead', type: 'http', path: '/', port: String(deadPort), timeout: 1 }],
    guest.exec,
    quick,
  );
  t.false(r.passed);
  t.regex(r.actual, /^no response/);
});

test('http for a local boot also goes through the forwarded port from the host', async (t) => {
  const seen: string[] = [];
  const probe = async (p: number, urlPath: string) => {
    seen.push(`${p}${urlPath}`);
    const res = await fetch(`http://127.0.0.1:${port}${urlPath}`);
    return { status: res.status, body: await res.text() };
  };
  const failing = async () => {
    throw new Error('connection refused');
  };
  // Generous for the passing run (a loaded machine is slow to start curl), short for the other.
  const inGuestPort: SmokeTest = {
    name: 'info', type: 'http', path: '/info.php', port: String(port), body_contains: 'PHP',
    timeout: 30,
  };
  const [ok] = await runSmokeTests([inGuestPort], guest.exec, { ...quick, httpProbe: probe });
  t.true(ok.passed);
  t.deepEqual(seen, [`${port}/info.php`]);
  const both = 'in guest: status 200, body contains it; from host: status 200, body contains it';
  t.is(ok.actual, both);
  const [bad] = await runSmokeTests([{ ...inGuestPort, timeout: 1 }], guest.exec, {
    ...quick,
    httpProbe: failing,
  });
  t.false(bad.passed);
  t.regex(bad.actual, /from host: no response \(connection refused\)/);
});

test('a command check compares exit code, exact output and contained output', async (t) => {
  const tests: SmokeTest[] = [
    { name: 'echo', type: 'command', run: 'echo hello world', output: 'hello world' },
    { name: 'contains', type: 'command', run: 'printf "a\\nb\\nc\\n"', output_contains: 'b\nc' },
    { name: 'exit 3', type: 'command', run: 'exit 3', exit_code: 3 },
    { name: 'wrong exit', type: 'command', run: 'echo oops >&2; exit 1', timeout: 1 },
    { name: 'wrong output', type: 'command', run: 'echo hello', output: 'goodbye', timeout: 1 },
  ];
  const results = await runSmokeTests(tests, guest.exec, quick);
  t.deepEqual(results.map((r) => r.passed), [true, true, true, false, false]);
  t.is(results[3].actual, 'exit 1, stderr "oops"');
  t.is(results[4].expected, 'exit 0, output "goodbye"');
  t.is(results[4].actual, 'exit 0, output "hello"');
});

test('a service check asks systemctl is-active', async (t) => {
  const results = await runSmokeTests(
    [
      { name: 'db', type: 'service', unit: 'mariadb' },
      { name: 'web', type: 'service', unit: 'apache2', timeout: 1 },
    ],
    guest.exec,
    quick,
  );
  t.deepEqual(results.map((r) => [r.passed, r.actual]), [[true, 'active'], [false, 'inactive']]);
});

test('without systemctl a service check falls back to the service command', async (t) => {
  const bin = path.join(guest.dir, 'sysv');
  await import('node:fs/promises').then((fs) => fs.mkdir(bin, { recursive: true }));
  const service = '[ "$2" = status ] || exit 2\n[ "$1" = mysql ] && exit 0\nexit 3';
  await writeScript(path.join(bin, 'service'), service);
  const exec = localShellExec({ env: { PATH: bin } });
  const results = await runSmokeTests(
    [
      { name: 'db', type: 'service', unit: 'mysql' },
      { name: 'web', type: 'service', unit: 'nginx', timeout: 1 },
    ],
    exec,
    quick,
  );
  t.deepEqual(results.map((r) => [r.passed, r.actual]), [
    [true, 'active'],
    [false, 'not running (service status exit 3)'],
  ]);
});

test('a check is retried until it passes, as a service that starts late', async (t) => {
  const marker = path.join(guest.dir, 'started');
  setTimeout(() => void writeFile(marker, 'up'), 1500);
  const [r] = await runSmokeTests(
    [{ name: 'late', type: 'command', run: `cat ${marker}`, output: 'up', timeout: 20 }],
    guest.exec,
    { ...quick, intervalMs: 200 },
  );
  t.true(r.passed);
  t.true(r.seconds >= 1.4 && r.seconds < 10, `took ${r.seconds} s`);
});

test('a check that never passes gives up when its timeout runs out', async (t) => {
  const started = Date.now();
  const smoke: SmokeTest = { name: 'never', type: 'command', run: 'false', timeout: 2 };
  const [r] = await runSmokeTests([smoke], guest.exec, { ...quick, intervalMs: 200 });
  const elapsed = (Date.now() - started) / 1000;
  t.false(r.passed);
  t.true(elapsed >= 1.7 && elapsed < 6, `took ${elapsed} s`);
  t.true(r.seconds >= 1.7);
});

test('a hung command is cut at the timeout and counts as a failure', async (t) => {
  const started = Date.now();
  const smoke: SmokeTest = { name: 'hang', type: 'command', run: 'sleep 30', timeout: 2 };
  const [r] = await runSmokeTests([smoke], guest.exec, quick);
  t.false(r.passed);
  t.is(r.actual, 'exit 124, stderr "timed out after 2000 ms"');
  t.true(Date.now() - started < 8000);
});

test('tests limited to other targets are not run', async (t) => {
  const results = await runSmokeTests(
    [
      { name: 'aws only', type: 'command', run: 'false', targets: ['aws'] },
      { name: 'everywhere', type: 'command', run: 'true' },
    ],
    guest.exec,
    quick,
  );
  t.deepEqual(results.map((r) => r.name), ['everywhere']);
});
