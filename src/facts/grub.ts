// SPDX-License-Identifier: Apache-2.0
// GRUB 2's grub.cfg as grub-mkconfig writes it: menuentry and submenu blocks,
// the `set default=` choice (a number, a title or id, "a>b" into a submenu, or
// "saved" / ${saved_entry} from grubenv), and each entry's linux/initrd lines.
// Not a GRUB script interpreter: conditionals are read through, which is what
// grub-mkconfig's output needs.

export interface GrubEntry {
  title: string;
  id: string;
  /** "0", "1>2": the position GRUB's default= numbers would name */
  path: string;
  kernel: string;
  cmdline: string;
  initrds: string[];
  /** 1-based line of the menuentry, and of its linux line */
  line: number;
  linuxLine: number;
}

export interface GrubConfig {
  entries: GrubEntry[];
  /** the raw default= value that applies, and its line (0 when absent) */
  defaultValue: string;
  defaultLine: number;
  usesBlscfg: boolean;
}

/** Splits one line into words with GRUB's quoting (single, double, backslash). */
export function grubWords(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let has = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === "'") {
      const j = line.indexOf("'", i + 1);
      const end = j < 0 ? line.length : j;
      cur += line.substring(i + 1, end); has = true; i = end;
    } else if (c === '"') {
      let j = i + 1;
      while (j < line.length && line[j] !== '"') {
        if (line[j] === '\\' && j + 1 < line.length) { cur += line[j + 1]; j += 2; continue; }
        cur += line[j++];
      }
      has = true; i = j;
    } else if (c === '\\' && i + 1 < line.length) {
      cur += line[++i]; has = true;
    } else if (c === ' ' || c === '\t') {
      if (has) { out.push(cur); cur = ''; has = false; }
    } else if (c === '#' && !has) {
      break;
    } else {
      cur += c; has = true;
    }
  }
  if (has) out.push(cur);
  return out;
}

export function parseGrubCfg(text: string): GrubConfig {
  const entries: GrubEntry[] = [];
  const lines = text.split('\n');
  // a stack of open blocks: menu blocks carry their position, others (if, function) do not
  const stack: { kind: 'submenu' | 'entry' | 'other'; entry?: GrubEntry; path?: string; count: number }[] = [{ kind: 'submenu', path: '', count: 0 }];
  let defaultValue = '';
  let defaultLine = 0;
  let usesBlscfg = false;
  const menuParent = () => { for (let i = stack.length - 1; i >= 0; i--) if (stack[i].kind === 'submenu') return stack[i]; return stack[0]; };
  const inEntry = () => { for (let i = stack.length - 1; i >= 0; i--) if (stack[i].kind === 'entry') return stack[i].entry; return undefined; };
  for (let n = 0; n < lines.length && n < 200_000; n++) {
    const w = grubWords(lines[n].trim());
    if (w.length === 0) continue;
    const cmd = w[0];
    if (cmd === 'menuentry' || cmd === 'submenu') {
      const parent = menuParent();
      const pos = parent.path ? `${parent.path}>${parent.count}` : String(parent.count);
      parent.count++;
      const idIdx = w.indexOf('$menuentry_id_option');
      const id = idIdx > 0 && idIdx + 1 < w.length ? w[idIdx + 1] : (w.includes('--id') ? w[w.indexOf('--id') + 1] : '');
      if (cmd === 'submenu') stack.push({ kind: 'submenu', path: pos, count: 0 });
      else {
        const e: GrubEntry = { title: w[1] ?? '', id, path: pos, kernel: '', cmdline: '', initrds: [], line: n + 1, linuxLine: 0 };
        entries.push(e);
        stack.push({ kind: 'entry', entry: e, count: 0 });
      }
      if (!lines[n].trimEnd().endsWith('{')) stack.pop(); // malformed: no block follows
      continue;
    }
    if (cmd === 'if' || cmd === 'function' || cmd === 'for' || cmd === 'while') {
      if (lines[n].trimEnd().endsWith('{')) stack.push({ kind: 'other', count: 0 });
      continue;
    }
    if (cmd === '}') { if (stack.length > 1) stack.pop(); continue; }
    const e = inEntry();
    if (e && (cmd === 'linux' || cmd === 'linux16' || cmd === 'linuxefi' || cmd === 'kernel')) {
      e.kernel = w[1] ?? '';
      e.cmdline = w.slice(2).join(' ');
      e.linuxLine = n + 1;
    } else if (e && (cmd === 'initrd' || cmd === 'initrd16' || cmd === 'initrdefi')) {
      e.initrds = w.slice(1);
    } else if (cmd === 'blscfg') {
      usesBlscfg = true;
    } else if (cmd === 'set' && w[1]?.startsWith('default=') && !e) {
      const v = w[1].substring('default='.length);
      // grub-mkconfig's one-shot `set default="${next_entry}"` only applies after grub-reboot
      if (v !== '${next_entry}') { defaultValue = v; defaultLine = n + 1; }
    }
  }
  return { entries, defaultValue, defaultLine, usesBlscfg };
}

/** Parses grubenv: "# GRUB Environment Block" then key=value lines, padded with '#'. */
export function parseGrubenv(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const l of text.split('\n')) {
    if (l.startsWith('#')) continue;
    const eq = l.indexOf('=');
    if (eq > 0) out.set(l.substring(0, eq), l.substring(eq + 1));
  }
  return out;
}

/** The entry a default= value names (number, title, id, or ">"-joined path), GRUB's way. */
export function resolveDefault(cfg: GrubConfig, value: string): GrubEntry | undefined {
  const v = value === '' ? '0' : value;
  if (/^\d+(>\d+)*$/.test(v)) return cfg.entries.find((e) => e.path === v);
  const byName = cfg.entries.find((e) => e.title === v || e.id === v);
  if (byName) return byName;
  // "Advanced options>Entry title": GRUB matches the last part inside the named submenu
  const last = v.split('>').pop()!;
  return cfg.entries.find((e) => e.title === last || e.id === last);
}
