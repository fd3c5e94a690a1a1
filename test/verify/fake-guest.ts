// A stand-in guest for smoke tests: the host's shell with fake sudo/mysql/systemctl on PATH.
import { chmod, mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { localShellExec, type GuestExec } from '../../src/verify/guest.js';

export interface FakeGuest {
  dir: string;
  bin: string;
  exec: GuestExec;
  /** Every argument list the fake mysql received, one JSON array per line. */
  mysqlLog: string;
}

export async function writeScript(file: string, body: string): Promise<void> {
  await writeFile(file, `#!/bin/bash\n${body}\n`);
  await chmod(file, 0o755);
}

// mysql knows one table, sakila.film with 1000 rows; anything else is MySQL's own error.
const FAKE_MYSQL = `
node -e 'const [log, ...args] = process.argv.slice(1);
  require("fs").appendFileSync(log, JSON.stringify(args) + "\\n")' "$MYSQL_LOG" "$@"
[ "$1" = -N ] && [ "$2" = -B ] && [ "$3" = -e ] || { echo "usage" >&2; exit 2; }
case "$4" in
  "select count(*) from sakila.film") echo 1000 ;;
  *) echo "ERROR 1146 (42S02): Table 'x' doesn't exist" >&2; exit 1 ;;
esac`;

const FAKE_SYSTEMCTL = `
[ "$1" = is-active ] || exit 2
case "$2" in
  mariadb) echo active ;;
  *) echo inactive; exit 3 ;;
esac`;

export async function fakeGuest(): Promise<FakeGuest> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'amibake-smoke-'));
  const bin = path.join(dir, 'bin');
  const mysqlLog = path.join(dir, 'mysql.log');
  await mkdir(bin);
  await writeScript(path.join(bin, 'sudo'), '[ "$1" = -n ] && shift\nexec "$@"');
  await writeScript(path.join(bin, 'mysql'), FAKE_MYSQL);
  await writeScript(path.join(bin, 'systemctl'), FAKE_SYSTEMCTL);
  const env = { ...process.env, PATH: `${bin}:${process.env.PATH}`, MYSQL_LOG: mysqlLog };
  return { dir, bin, exec: localShellExec({ env, cwd: dir }), mysqlLog };
}
