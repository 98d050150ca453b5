// SPDX-License-Identifier: Apache-2.0
// The engine says in English why it took a volume as the guest root, or why
// it found none (asm/guest/guest.ts). Its few sentences are matched here to
// catalog messages so the page can say them in the reader's language; a
// sentence this does not know is shown as the engine wrote it.
import type { Evidence } from '../report/types';
import { said } from '../report/message';

const FORMS: [RegExp, (m: RegExpExecArray) => [string, Record<string, string>]][] = [
  [/^volume (\S+) holds Windows\/System32\/config\/SYSTEM and SOFTWARE$/, (m) => ['ev.root.windows', { id: m[1] }]],
  [/^volume (\S+) holds \/etc, \/bin or \/usr\/bin and a release file \(Btrfs subvolume (.*), the default\)$/, (m) => ['ev.root.linuxDefaultSubvolume', { id: m[1], subvolume: m[2] }]],
  [/^volume (\S+) holds \/etc, \/bin or \/usr\/bin and a release file \(Btrfs subvolume (.*)\)$/, (m) => ['ev.root.linuxSubvolume', { id: m[1], subvolume: m[2] }]],
  [/^volume (\S+) holds \/etc, \/bin or \/usr\/bin and a release file$/, (m) => ['ev.root.linux', { id: m[1] }]],
  [/^volume (\S+) is encrypted \(LUKS, UUID ([^)]*)\): /, (m) => ['ev.root.luks', { id: m[1], uuid: m[2] }]],
  [/^no volume holds a Linux root filesystem /, () => ['ev.root.none', {}]],
];

/** Evidence for the engine's root reason: a catalog message when the sentence is one the engine writes. */
export function rootReasonEvidence(path: string, reason: string): Evidence {
  for (const [re, to] of FORMS) {
    const m = re.exec(reason);
    if (!m) continue;
    const [key, params] = to(m);
    const e = said(path, key, params);
    // the catalog's English must be the engine's sentence, or the report would change
    if (e.text === reason) return e;
  }
  return { path, text: reason };
}
