// SPDX-License-Identifier: Apache-2.0
// The SELinux mode a guest boots with: SELINUX= in /etc/selinux/config
// (enforcing | permissive | disabled), overridden by selinux=0 or
// enforcing=0 on the kernel command line of the default boot entry.

export interface SelinuxConfig {
  /** "enforcing" | "permissive" | "disabled" | other text as written */
  mode: string;
  line: number;
  text: string;
}

export function parseSelinuxConfig(text: string): SelinuxConfig | null {
  let found: SelinuxConfig | null = null;
  text.split('\n').forEach((raw, i) => {
    const m = /^\s*SELINUX\s*=\s*["']?([A-Za-z]*)["']?\s*(?:#.*)?$/.exec(raw.replace(/\r$/, ''));
    // the last assignment wins, as when the file is sourced
    if (m) found = { mode: m[1].toLowerCase(), line: i + 1, text: raw.replace(/\r$/, '') };
  });
  return found;
}

/** The last value of a kernel parameter on a command line ("selinux=0"), null when absent. */
export function cmdlineParam(cmdline: string, name: string): string | null {
  let v: string | null = null;
  for (const w of cmdline.split(/\s+/)) {
    if (w === name) v = '';
    else if (w.startsWith(`${name}=`)) v = w.substring(name.length + 1);
  }
  return v;
}
