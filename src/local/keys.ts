// A fresh ed25519 key per bake or boot, in a 0700 directory; the private half is redacted.
import { execFile } from 'node:child_process';
import { chmod, mkdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { registerSecret } from '../redact.js';

const execFileAsync = promisify(execFile);

export interface BuildKey {
  privateKeyFile: string;
  publicKey: string; // one OpenSSH line: "ssh-ed25519 AAAA... comment"
}

export async function createBuildKey(dir: string): Promise<BuildKey> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await chmod(dir, 0o700);
  const privateKeyFile = path.join(dir, 'id_ed25519');
  await rm(privateKeyFile, { force: true });
  await rm(`${privateKeyFile}.pub`, { force: true });
  await execFileAsync('ssh-keygen', [
    '-q', '-t', 'ed25519', '-N', '', '-C', `amibake-${process.pid}`, '-f', privateKeyFile,
  ]);
  const privateText = await readFile(privateKeyFile, 'utf8');
  registerSecret(privateText.trim());
  // Each base64 line too, in case a tool prints part of the key without its armour lines.
  for (const line of privateText.split('\n')) {
    if (line && !line.startsWith('-----')) registerSecret(line);
  }
  const publicKey = (await readFile(`${privateKeyFile}.pub`, 'utf8')).trim();
  return { privateKeyFile, publicKey };
}
