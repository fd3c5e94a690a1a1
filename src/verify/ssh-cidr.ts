// The one network allowed to reach a verification instance's SSH port. It is given, never
// guessed: asking an outside "what is my IP" service would send traffic nobody asked for.
import { isIPv4 } from 'node:net';
import { UsageError } from '../errors.js';
import { warn } from '../log.js';

export function resolveSshCidr(given?: string, env = process.env): string {
  const value = given ?? env.AMIBAKE_SSH_CIDR;
  if (!value) {
    throw new UsageError('verify on aws needs the address SSH will come from', {
      hint: 'pass --ssh-cidr 203.0.113.7/32 (your public address) or set AMIBAKE_SSH_CIDR',
    });
  }
  const cidr = value.includes('/') ? value : `${value}/32`;
  const [address, bits] = cidr.split('/');
  const prefix = Number(bits);
  if (!isIPv4(address) || !/^\d{1,2}$/.test(bits) || prefix > 32) {
    throw new UsageError(`--ssh-cidr ${value} is not an IPv4 CIDR such as 203.0.113.7/32`);
  }
  if (prefix < 16) warn(`--ssh-cidr ${cidr} opens SSH to a wide network during verification`);
  return cidr;
}
