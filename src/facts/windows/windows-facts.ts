// SPDX-License-Identifier: Apache-2.0
// What several Windows items share, read once: the SYSTEM and SOFTWARE hives,
// the current control set (SYSTEM\Select\Current → ControlSet00N) and the
// release from SOFTWARE\Microsoft\Windows NT\CurrentVersion.
import type { HiveView, HiveValue } from '../../engine/wasm-guest-view';
import { windowsVersion, type CurrentVersion, type WindowsVersion } from './windows-version';

export const CONFIG = '/Windows/System32/config';
export const SYSTEM_HIVE = `${CONFIG}/SYSTEM`;
export const SOFTWARE_HIVE = `${CONFIG}/SOFTWARE`;
export const CURRENT_VERSION = 'Microsoft\\Windows NT\\CurrentVersion';

export type HiveOpener = (path: string, vol?: string) => HiveView | null;

export interface OpenedHive {
  path: string;
  hive: HiveView | null;
  /** why it could not be opened ("" when it was, or is simply absent) */
  error: string;
}

export interface WindowsFacts {
  system: OpenedHive;
  software: OpenedHive;
  /** "ControlSet001", or null when SYSTEM\Select is unreadable */
  ccs: string | null;
  ccsEvidence: string;
  currentVersion: CurrentVersion | null;
  version: WindowsVersion | null;
}

export function openHive(open: HiveOpener, path: string): OpenedHive {
  try {
    return { path, hive: open(path), error: '' };
  } catch (e) {
    return { path, hive: null, error: (e as Error).message };
  }
}

export const str = (v: HiveValue | null): string => v?.string ?? (v?.strings ? v.strings.join(' ') : '');
export const num = (v: HiveValue | null): number | null => (v?.number !== undefined ? v.number : v?.qword !== undefined ? Number(v.qword) : null);

/** A value that must not throw: a damaged spot of the hive reads as absent. */
export function safeValue(h: HiveView | null, key: string, name: string): HiveValue | null {
  if (h === null) return null;
  try { return h.value(key, name); } catch { return null; }
}

export function safeKey(h: HiveView | null, key: string) {
  if (h === null) return null;
  try { return h.key(key); } catch { return null; }
}

export function gatherWindowsFacts(open: HiveOpener): WindowsFacts {
  const system = openHive(open, SYSTEM_HIVE);
  const software = openHive(open, SOFTWARE_HIVE);
  let ccs: string | null = null, ccsEvidence = 'SYSTEM\\Select unreadable';
  const cur = num(safeValue(system.hive, 'Select', 'Current'));
  if (cur !== null && cur > 0 && cur < 1000) {
    ccs = `ControlSet${String(cur).padStart(3, '0')}`;
    ccsEvidence = `SYSTEM\\Select Current=${cur}`;
  } else if (safeKey(system.hive, 'ControlSet001') !== null) {
    ccs = 'ControlSet001';
    ccsEvidence = 'SYSTEM\\Select\\Current absent; ControlSet001 used';
  }
  let currentVersion: CurrentVersion | null = null;
  const k = safeKey(software.hive, CURRENT_VERSION);
  if (k !== null) {
    const v = (n: string) => k.values.find((x) => x.name.toUpperCase() === n.toUpperCase()) ?? null;
    const build = Number.parseInt(str(v('CurrentBuild')) || str(v('CurrentBuildNumber')), 10);
    currentVersion = {
      productName: str(v('ProductName')),
      displayVersion: str(v('DisplayVersion')) || str(v('ReleaseId')),
      editionId: str(v('EditionID')),
      installationType: str(v('InstallationType')),
      currentVersion: str(v('CurrentVersion')),
      major: num(v('CurrentMajorVersionNumber')),
      minor: num(v('CurrentMinorVersionNumber')),
      build: Number.isFinite(build) ? build : null,
      ubr: num(v('UBR')),
      csdVersion: str(v('CSDVersion')),
    };
  }
  return { system, software, ccs, ccsEvidence, currentVersion, version: currentVersion ? windowsVersion(currentVersion) : null };
}

export function closeWindowsFacts(f: WindowsFacts): void {
  f.system.hive?.close();
  f.software.hive?.close();
}
