// SPDX-License-Identifier: Apache-2.0
// The shape every check item has: a pure function of the guest view and the
// image facts that returns one Finding (DESIGN.md, "Rules").

import type { Evidence, Finding, ImageInfo, Message, MountInfo, RiskLevel, Status } from '../report/types';
import { english, gatherMessages } from '../report/message';
import type { GuestView } from './guest-view';
import type { OsInfo } from '../facts/os-release';
import type { LinuxFacts } from '../facts/linux-facts';
import type { HiveView } from '../engine/wasm-guest-view';
import type { BcdStore } from '../facts/windows/bcd';
import type { WindowsFacts } from '../facts/windows/windows-facts';

export interface RuleContext {
  image: ImageInfo;
  platform: 'Linux' | 'Windows' | null;
  /** null when no guest root was found */
  guest: GuestView | null;
  /** why no root was found, when none was */
  rootReason: string;
  os: OsInfo | null;
  /** the fstab entries as the engine mounted them; absent in trees without an engine (unit tests) */
  mounts?: MountInfo[];
  /** one volume's own filesystem by volume id (an ESP the guest does not mount), null when unreadable */
  volumeView?: (id: string) => GuestView | null;
  /** Linux facts shared by several items, gathered once before the rules run
   * (gatherLinuxFacts: it reads the initramfs); absent in small unit tests */
  facts?: LinuxFacts;
  /** a registry hive of the guest tree (vol absent) or of one volume, its logs applied when
   * dirty; null when the file is absent; throws HiveReadError when it is not a readable hive.
   * The caller closes it. Absent when no Windows guest was found. */
  hive?: (path: string, vol?: string) => HiveView | null;
  /** the BCD store in the hive at `path`, decoded and matched to the image's volumes; null when absent */
  bcd?: (path: string, vol?: string) => BcdStore | null;
  /** Windows facts shared by several items (SYSTEM/SOFTWARE opened once, the current control set) */
  windows?: WindowsFacts;
}

export interface Rule {
  name: string;
  platforms: ('Linux' | 'Windows' | 'Any')[];
  run(ctx: RuleContext): Finding;
}

/** A finding; its value and solution may be catalog messages (rendered in English here, kept for other languages). */
export function finding(
  name: string,
  status: Status,
  value: string | Message,
  evidence: Evidence[],
  opts: { riskLevel?: RiskLevel; riskCode?: string; solution?: string | Message; command?: string } = {},
): Finding {
  const sol = opts.solution;
  const f: Finding = {
    ...(opts.command ? { command: opts.command } : {}),
    id: `GUESTOS.${name}`,
    name,
    status,
    value: typeof value === 'string' ? value : english(value),
    riskLevel: opts.riskLevel ?? null,
    riskCode: opts.riskCode ?? '',
    evidence,
    solution: sol === undefined ? '' : typeof sol === 'string' ? sol : english(sol),
  };
  return gatherMessages(f, { ...(typeof value === 'string' ? {} : { value }), ...(typeof sol === 'object' ? { solution: sol } : {}) });
}

/** Compares dotted/dashed version strings numerically where they are numbers. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split(/[.\-_+~]/), pb = b.split(/[.\-_+~]/);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = pa[i] ?? '', y = pb[i] ?? '';
    const nx = /^\d+$/.test(x) ? Number(x) : NaN, ny = /^\d+$/.test(y) ? Number(y) : NaN;
    if (!isNaN(nx) && !isNaN(ny)) { if (nx !== ny) return nx - ny; continue; }
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}
