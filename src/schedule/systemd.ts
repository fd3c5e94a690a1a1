// A systemd service + timer per scheduled image. The timer's OnCalendar values come from the
// spec's cron (see on-calendar.ts); Persistent=true runs a missed schedule at the next boot.
import { rebuildArgs, type HostContext, type ScheduledRebuild } from './entries.js';
import { cronToOnCalendar } from './on-calendar.js';

export interface UnitFile {
  name: string;
  text: string;
}

// systemd splits ExecStart= on whitespace, honours double quotes, and expands % specifiers.
export function systemdQuote(word: string): string {
  const escaped = word.replace(/%/g, '%%');
  if (/^[A-Za-z0-9_./:=@,+-]+$/.test(escaped)) return escaped;
  return `"${escaped.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

export function unitBase(image: string): string {
  return `amibake-rebuild-${image}`;
}

export function renderService(
  entry: ScheduledRebuild,
  host: HostContext,
  state?: string,
): UnitFile {
  const exec = [host.node, host.bin, ...rebuildArgs(entry, state)].map(systemdQuote).join(' ');
  const env = Object.entries(host.env).map(([k, v]) => `Environment=${systemdQuote(`${k}=${v}`)}`);
  const text = [
    '[Unit]',
    `Description=amibake: rebuild image ${entry.image} when stale`,
    'Wants=network-online.target',
    'After=network-online.target',
    '',
    '[Service]',
    'Type=oneshot',
    `WorkingDirectory=${systemdQuote(host.repo)}`,
    ...env,
    `ExecStart=${exec}`,
    '',
  ].join('\n');
  return { name: `${unitBase(entry.image)}.service`, text };
}

export function renderTimer(entry: ScheduledRebuild): UnitFile {
  const text = [
    '[Unit]',
    `Description=amibake: rebuild schedule of ${entry.image} (cron "${entry.cron}")`,
    '',
    '[Timer]',
    ...cronToOnCalendar(entry.cron).map((value) => `OnCalendar=${value}`),
    'Persistent=true',
    `Unit=${unitBase(entry.image)}.service`,
    '',
    '[Install]',
    'WantedBy=timers.target',
    '',
  ].join('\n');
  return { name: `${unitBase(entry.image)}.timer`, text };
}

export function renderSystemdUnits(
  entries: ScheduledRebuild[],
  host: HostContext,
  state?: string,
): UnitFile[] {
  return entries.flatMap((entry) => [renderService(entry, host, state), renderTimer(entry)]);
}
