// SPDX-License-Identifier: Apache-2.0
// The entry the bootloader starts by default, from the guest's own files:
// GRUB 2's grub.cfg (and grubenv's saved_entry), or BLS snippets under
// /boot/loader/entries when grub.cfg calls blscfg (RHEL 8+, Fedora), a whole
// grub.cfg on the ESP (RHEL 7/8 UEFI), or GRUB Legacy's menu.lst / grub.conf.
import type { GuestView } from '../rules/guest-view';
import { readText } from '../rules/guest-view';
import type { Evidence } from '../report/types';
import { parseGrubCfg, parseGrubenv, resolveDefault } from './grub';
import { compareVersions } from '../rules/rule';
import { inspectEsp, parseEspStub } from './esp';
import { legacyDefault, parseGrubLegacy } from './grub-legacy';
import { said } from '../report/message';

export interface BootEntry {
  source: 'grub2' | 'bls' | 'grub-legacy';
  /** the configuration file the entry came from */
  config?: string;
  title: string;
  /** guest path of the kernel image, resolved against a separate /boot */
  kernel: string;
  kernelExists: boolean;
  /** version taken from the kernel file name ("6.1.0-27-amd64"), "" if it has none */
  version: string;
  initrds: string[];
  cmdline: string;
  evidence: Evidence[];
}

const GRUB_CFGS = ['/boot/grub2/grub.cfg', '/boot/grub/grub.cfg'];
const GRUBENVS = ['/boot/grub2/grubenv', '/boot/grub/grubenv'];
export const GRUB_LEGACY_CFGS = ['/boot/grub/grub.conf', '/boot/grub/menu.lst', '/etc/grub.conf'];

/** A GRUB path as the guest sees it: strip "(hd0,gpt3)" / "($root)" and a Btrfs subvolume prefix, and try under /boot for a separate /boot. */
export function guestBootPath(g: GuestView, grubPath: string): { path: string; exists: boolean } {
  const p = grubPath.replace(/^\([^)]*\)/, '');
  // on Btrfs GRUB names files from the top-level subvolume: /@/boot/vmlinuz (Ubuntu), /@/.snapshots/1/snapshot/boot/... (SUSE)
  const sub = p.replace(/^\/@[^/]*(\/\.snapshots\/\d+\/snapshot)?(?=\/)/, '');
  for (const cand of [p, `/boot${p.startsWith('/') ? '' : '/'}${p}`, ...(sub !== p ? [sub] : [])]) {
    const st = g.stat(cand);
    if (st !== null && st.kind === 'file') return { path: cand, exists: true };
  }
  return { path: p, exists: false };
}

export function kernelVersionFromPath(path: string): string {
  const base = path.substring(path.lastIndexOf('/') + 1);
  const m = /^(?:vmlinuz|vmlinux|Image|kernel|bzImage)-(.+)$/.exec(base);
  return m ? m[1] : '';
}

/** The guest's grubenv (the first of GRUBENVS that exists), read once per question set. */
function readGrubenv(g: GuestView): { vars: Map<string, string>; path: string } | null {
  // RHEL 8-style UEFI installs keep grubenv beside the ESP's grub.cfg (/boot/grub2/grubenv links there when present)
  const espEnvs = inspectEsp(g).grubCfgs.map((c) => c.replace(/grub\.cfg$/i, 'grubenv'));
  for (const p of [...GRUBENVS, ...espEnvs]) {
    const t = readText(g, p, 64 * 1024);
    if (t !== null) return { vars: parseGrubenv(t), path: p };
  }
  return null;
}

function savedEntry(env: { vars: Map<string, string>; path: string } | null): { value: string; path: string } | null {
  const v = env?.vars.get('saved_entry');
  return env && v !== undefined ? { value: v, path: env.path } : null;
}

function blsDefault(g: GuestView, cfgPath: string): BootEntry | null {
  const dir = '/boot/loader/entries';
  const files = (g.list(dir) ?? []).filter((e) => e.name.endsWith('.conf')).map((e) => e.name);
  if (files.length === 0) return null;
  const parsed = files.map((name) => {
    const kv = new Map<string, string>();
    for (const l of (readText(g, `${dir}/${name}`, 64 * 1024) ?? '').split('\n')) {
      const m = /^\s*(\S+)\s+(.*?)\s*$/.exec(l);
      if (m && !m[1].startsWith('#')) kv.set(m[1], kv.has(m[1]) && m[1] === 'initrd' ? `${kv.get(m[1])} ${m[2]}` : m[2]);
    }
    return { name, id: name.replace(/\.conf$/, ''), kv };
  });
  // blscfg sorts entries newest version first; saved_entry names an entry by its file id
  parsed.sort((a, b) => compareVersions(b.kv.get('version') ?? b.id, a.kv.get('version') ?? a.id));
  const env = readGrubenv(g);
  const saved = savedEntry(env);
  const chosen = (saved && parsed.find((p) => p.id === saved.value)) || parsed[0];
  const linux = chosen.kv.get('linux') ?? '';
  const k = guestBootPath(g, linux);
  // blscfg expands $var from grubenv and GRUB's environment; an unset one ($tuned_initrd without tuned) is empty
  const expand = (s: string) => s.replace(/\$\{?(\w+)\}?/g, (_, v: string) => env?.vars.get(v) ?? '');
  const opts = expand(chosen.kv.get('options') ?? '').replace(/\s+/g, ' ').trim();
  const ev: Evidence[] = [said(cfgPath, 'ev.boot.blscfg')];
  if (saved) ev.push({ path: saved.path, text: `saved_entry=${saved.value}` });
  ev.push({ path: `${dir}/${chosen.name}`, text: `linux ${linux}` });
  return {
    source: 'bls', title: chosen.kv.get('title') ?? chosen.id, kernel: k.path, kernelExists: k.exists,
    version: chosen.kv.get('version') ?? kernelVersionFromPath(linux), initrds: expand(chosen.kv.get('initrd') ?? '').split(/\s+/).filter(Boolean),
    cmdline: opts, evidence: ev,
  };
}

function grub2Default(g: GuestView, cfgPath: string, text: string): BootEntry | null {
  const cfg = parseGrubCfg(text);
  if (cfg.usesBlscfg && cfg.entries.length === 0) {
    const bls = blsDefault(g, cfgPath);
    if (bls) return { ...bls, config: cfgPath };
  }
  if (cfg.entries.length === 0) return null;
  const ev: Evidence[] = [];
  let value = cfg.defaultValue;
  if (cfg.defaultLine) ev.push({ path: cfgPath, line: cfg.defaultLine, text: `set default="${cfg.defaultValue}"` });
  if (value === 'saved' || value === '${saved_entry}') {
    const saved = savedEntry(readGrubenv(g));
    value = saved?.value ?? '0';
    if (saved) ev.push({ path: saved.path, text: `saved_entry=${saved.value}` });
  }
  const e = resolveDefault(cfg, value) ?? cfg.entries[0];
  const k = guestBootPath(g, e.kernel);
  ev.push({ path: cfgPath, line: e.linuxLine || e.line, text: `menuentry '${e.title}': linux ${e.kernel}` });
  return {
    source: 'grub2', config: cfgPath, title: e.title, kernel: k.path, kernelExists: k.exists, version: kernelVersionFromPath(e.kernel),
    initrds: e.initrds, cmdline: e.cmdline, evidence: ev,
  };
}

function legacyDefaultEntry(g: GuestView): BootEntry | null {
  for (const cfgPath of GRUB_LEGACY_CFGS) {
    const text = readText(g, cfgPath, 1 << 20);
    if (text === null) continue;
    const cfg = parseGrubLegacy(text);
    const e = legacyDefault(cfg, cfg.defaultValue === 'saved' ? readText(g, '/boot/grub/default', 4096) : null);
    if (!e) continue;
    const k = guestBootPath(g, e.kernel);
    const ev: Evidence[] = [];
    if (cfg.defaultLine) ev.push({ path: cfgPath, line: cfg.defaultLine, text: `default ${cfg.defaultValue}` });
    ev.push({ path: cfgPath, line: e.kernelLine || e.line, text: e.kernelLine ? e.kernelText.trim() : `title ${e.title}` });
    return {
      source: 'grub-legacy', config: cfgPath, title: e.title, kernel: k.path, kernelExists: k.exists, version: kernelVersionFromPath(e.kernel),
      initrds: e.initrds, cmdline: e.cmdline, evidence: ev,
    };
  }
  return null;
}

/**
 * The default boot entry, or null when no boot configuration is found:
 * GRUB 2 under /boot first, then a whole grub.cfg on the ESP, then GRUB Legacy.
 */
export function defaultBootEntry(g: GuestView): BootEntry | null {
  for (const cfgPath of GRUB_CFGS) {
    const text = readText(g, cfgPath, 4 << 20);
    if (text === null) continue;
    const e = grub2Default(g, cfgPath, text);
    if (e) return e;
  }
  for (const cfgPath of inspectEsp(g).grubCfgs) {
    const text = readText(g, cfgPath, 4 << 20);
    if (text === null || parseEspStub(text) !== null) continue;
    const e = grub2Default(g, cfgPath, text);
    if (e) return e;
  }
  return legacyDefaultEntry(g);
}

const memo = new WeakMap<GuestView, BootEntry | null>();

/** defaultBootEntry, computed once per guest view: several items ask for it. */
export function bootEntry(g: GuestView): BootEntry | null {
  if (!memo.has(g)) memo.set(g, defaultBootEntry(g));
  return memo.get(g)!;
}
