// SPDX-License-Identifier: Apache-2.0
// GRUB Legacy (0.97) menu.lst / grub.conf as CentOS 6, SLES 11 and old Debian
// write them: global `default N` (or `default saved` with the number in
// /boot/grub/default), then `title` blocks with root/kernel/initrd lines.
// Paths are relative to the entry's `root (hdX,Y)` device, usually /boot.

export interface LegacyEntry {
  title: string;
  kernel: string;
  cmdline: string;
  initrds: string[];
  line: number;
  kernelLine: number;
  kernelText: string;
}

export interface LegacyConfig {
  entries: LegacyEntry[];
  /** the default= value as written ("0", "saved"), "" when absent */
  defaultValue: string;
  defaultLine: number;
}

const MAX_LINES = 100_000;

export function parseGrubLegacy(text: string): LegacyConfig {
  const entries: LegacyEntry[] = [];
  let defaultValue = '';
  let defaultLine = 0;
  let cur: LegacyEntry | null = null;
  const lines = text.split('\n');
  for (let n = 0; n < lines.length && n < MAX_LINES; n++) {
    const raw = lines[n].replace(/\r$/, '');
    const body = raw.trim();
    if (body === '' || body.startsWith('#')) continue;
    // GRUB Legacy accepts "cmd arg" and "cmd=arg"
    const m = /^(\S+?)(?:\s*=\s*|\s+)(.*)$/.exec(body) ?? [body, body, ''];
    const cmd = m[1], arg = m[2].trim();
    if (cmd === 'title') {
      cur = { title: arg, kernel: '', cmdline: '', initrds: [], line: n + 1, kernelLine: 0, kernelText: '' };
      entries.push(cur);
    } else if (cur === null && cmd === 'default') {
      defaultValue = arg; defaultLine = n + 1;
    } else if (cur !== null && cmd === 'kernel') {
      const w = arg.split(/\s+/).filter((x) => !x.startsWith('--'));
      cur.kernel = w[0] ?? '';
      cur.cmdline = w.slice(1).join(' ');
      cur.kernelLine = n + 1;
      cur.kernelText = raw;
    } else if (cur !== null && cmd === 'initrd') {
      cur.initrds = arg.split(/\s+/).filter(Boolean);
    }
  }
  return { entries, defaultValue, defaultLine };
}

/** The entry `default` names: a number counted from 0; "saved" uses the savedefault file's number. */
export function legacyDefault(cfg: LegacyConfig, savedNumber: string | null): LegacyEntry | undefined {
  let v = cfg.defaultValue;
  if (v === 'saved') v = (savedNumber ?? '0').trim();
  const i = /^\d+$/.test(v) ? Number(v) : 0;
  return cfg.entries[i] ?? cfg.entries[0];
}
