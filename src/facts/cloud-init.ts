// SPDX-License-Identifier: Apache-2.0
// cloud-init as installed in a guest: its program, its version (from its
// Python package's metadata or cloudinit/version.py, else the package
// database), whether it is disabled, and its configuration
// (/etc/cloud/cloud.cfg, then /etc/cloud/cloud.cfg.d/*.cfg in name order;
// later files override earlier ones, as cloud-init merges them).

import type { GuestView } from '../rules/guest-view';
import { readText } from '../rules/guest-view';
import type { Evidence } from '../report/types';
import { type PackageDb, findPackage } from './packages';
import { said } from '../report/message';

export interface CloudInitInfo {
  installed: boolean;
  version: string;
  evidence: Evidence[];
  disabled: Evidence | null;
  /** the effective datasource_list, null when no file sets one */
  datasources: { list: string[]; evidence: Evidence } | null;
  /** cloud.cfg's module lists ("cloud_init_modules") with where each name was found */
  modules: Map<string, Evidence>;
  /** "growpart:" settings: mode off/false disables it */
  growpartMode: { value: string; evidence: Evidence } | null;
}

const PROGRAMS = ['/usr/bin/cloud-init', '/bin/cloud-init', '/usr/local/bin/cloud-init'];

function pythonDirs(g: GuestView): string[] {
  const out: string[] = [];
  for (const lib of ['/usr/lib', '/usr/lib64', '/usr/local/lib']) {
    for (const e of g.list(lib) ?? []) {
      if (!/^python[23](\.\d+)?$/.test(e.name)) continue;
      for (const sub of ['dist-packages', 'site-packages']) {
        const d = `${lib}/${e.name}/${sub}`;
        if (g.stat(d)?.kind === 'dir') out.push(d);
      }
    }
  }
  return out;
}

function pythonVersion(g: GuestView): { version: string; evidence: Evidence } | null {
  for (const d of pythonDirs(g)) {
    for (const e of g.list(d) ?? []) {
      const m = /^cloud_init-(\d[^-]*?)(?:-py[\d.]+)?\.(?:egg|dist)-info$/.exec(e.name);
      if (m) return { version: m[1], evidence: said(`${d}/${e.name}`, 'ev.cloudInit.python', { version: m[1] }) };
    }
    const v = readText(g, `${d}/cloudinit/version.py`, 64 * 1024);
    const m = v ? /__VERSION__\s*=\s*["']([^"']+)["']/.exec(v) : null;
    if (m) return { version: m[1], evidence: { path: `${d}/cloudinit/version.py`, text: `__VERSION__ = "${m[1]}"` } };
  }
  return null;
}

/** Top-level `key:` of a YAML file: an inline [a, b] list, a scalar, or the "- item" lines under it. */
function yamlKey(text: string, key: string): { value: string[]; line: number; lines: number[] } | null {
  const lines = text.split('\n');
  let found: { value: string[]; line: number; lines: number[] } | null = null;
  for (let i = 0; i < lines.length; i++) {
    const m = new RegExp(`^${key}\\s*:\\s*(.*?)\\s*(#.*)?$`).exec(lines[i]);
    if (!m) continue;
    const rest = m[1];
    if (rest.startsWith('[')) {
      // an inline list may continue over several lines up to its "]"
      let s = rest, j = i;
      while (!s.includes(']') && j + 1 < lines.length) s += ' ' + lines[++j].trim();
      const value = s.replace(/^\[|\].*$/g, '').split(',').map((x) => x.trim().replace(/^["']|["']$/g, '')).filter(Boolean);
      found = { value, line: i + 1, lines: value.map(() => i + 1) };
    } else if (rest !== '') {
      found = { value: [rest.replace(/^["']|["']$/g, '')], line: i + 1, lines: [i + 1] };
    } else {
      const items: string[] = [], at: number[] = [];
      for (let j = i + 1; j < lines.length; j++) {
        const it = /^\s+-\s*(?:\[\s*)?([A-Za-z0-9_-]+)/.exec(lines[j]);
        if (it) { items.push(it[1]); at.push(j + 1); continue; }
        if (/^\s*(#.*)?$/.test(lines[j])) continue;
        if (/^\s+/.test(lines[j])) continue;
        break;
      }
      found = { value: items, line: i + 1, lines: at };
    }
  }
  return found;
}

const MODULE_LISTS = ['cloud_init_modules', 'cloud_config_modules', 'cloud_final_modules'];

export function cloudInitInfo(g: GuestView, pkgs: PackageDb, cmdline: string): CloudInitInfo {
  const out: CloudInitInfo = { installed: false, version: '', evidence: [], disabled: null, datasources: null, modules: new Map(), growpartMode: null };
  const pkg = findPackage(pkgs, 'cloud-init');
  if (pkg) { out.installed = true; out.evidence.push(pkg.evidence); }
  const prog = PROGRAMS.find((p) => g.stat(p)?.kind === 'file');
  if (prog) { out.installed = true; out.evidence.push(said(prog, 'ev.cloudInit.program')); }
  if (!out.installed) return out;
  const py = pythonVersion(g);
  if (py) { out.version = py.version; out.evidence.push(py.evidence); }
  else if (pkg) out.version = pkg.version.replace(/^\d+:/, '').replace(/-[^-]*$/, '');

  if (g.stat('/etc/cloud/cloud-init.disabled')) out.disabled = said('/etc/cloud/cloud-init.disabled', 'ev.cloudInit.disabledFile');
  const m = /(?:^|\s)cloud-init=disabled(?:\s|$)/.exec(cmdline);
  if (m) out.disabled = { path: 'kernel command line', text: 'cloud-init=disabled' };

  const files = ['/etc/cloud/cloud.cfg', ...(g.list('/etc/cloud/cloud.cfg.d') ?? [])
    .filter((e) => e.name.endsWith('.cfg')).map((e) => e.name).sort().map((n) => `/etc/cloud/cloud.cfg.d/${n}`)];
  for (const path of files) {
    const t = readText(g, path, 1 << 20);
    if (t === null) continue;
    const ds = yamlKey(t, 'datasource_list');
    if (ds) out.datasources = { list: ds.value, evidence: { path, line: ds.line, text: `datasource_list: [ ${ds.value.join(', ')} ]` } };
    for (const key of MODULE_LISTS) {
      const l = yamlKey(t, key);
      if (l) l.value.forEach((name, k) => out.modules.set(name.replace(/-/g, '_'), { path, line: l.lines[k], text: `${key}: - ${name}` }));
    }
    const gp = /^growpart\s*:\s*\n((?:[ \t]+.*\n?)*)/m.exec(t);
    const mode = gp ? /^\s+mode\s*:\s*['"]?([A-Za-z]+)/m.exec(gp[1]) : null;
    if (mode) {
      const line = t.substring(0, gp!.index).split('\n').length;
      out.growpartMode = { value: mode[1], evidence: { path, line, text: `growpart: mode: ${mode[1]}` } };
    }
  }
  return out;
}
