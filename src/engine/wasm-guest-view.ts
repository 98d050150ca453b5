// SPDX-License-Identifier: Apache-2.0
// The GuestView rules read, answered by the wasm engine's guest tree.
import type { GuestView, GuestStat, GuestEntry } from '../rules/guest-view';
import type { WasmExports } from './wasm';

/**
 * A guest path that exists but cannot be read: a symlink loop, a damaged
 * directory, a read past the end of a cut image. Thrown rather than answered
 * as "absent", so that an item reports the damage instead of a wrong verdict
 * (runRules turns it into that item's error).
 */
export class GuestReadError extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
    this.name = 'GuestReadError';
  }
}

function readError(x: WasmExports): GuestReadError | null {
  const e = JSON.parse(x.lastErrorJson()) as { code: string; message: string } | null;
  return e === null ? null : new GuestReadError(e.code, `${e.message} (${e.code})`);
}

export function wasmGuestView(x: WasmExports, vol = -1): GuestView {
  return {
    stat(path, follow = true): GuestStat | null {
      const s = x.fsStat(vol, path, follow);
      if (s === '') throw readError(x) ?? new GuestReadError('path.unreadable', `${path} could not be read`);
      if (s === 'null') return null;
      const j = JSON.parse(s);
      return { kind: j.kind, mode: j.mode, size: j.size, path: j.path };
    },
    list(path): GuestEntry[] | null {
      const s = x.fsReaddir(vol, path);
      if (s === '') throw readError(x) ?? new GuestReadError('path.unreadable', `${path} could not be listed`);
      if (s === 'null') return null;
      return (JSON.parse(s) as { name: string; kind: GuestEntry['kind'] }[]).map((e) => ({ name: e.name, kind: e.kind }));
    },
    readBytes(path, offset = 0, maxBytes = 1 << 30) {
      const b = x.fsRead(vol, path, offset, Math.min(maxBytes, 0x7fffffff));
      if (b === null) { const e = readError(x); if (e) throw e; }
      // The engine's collector (AssemblyScript's incremental one) lets its heap
      // double before a cycle, and a large result is garbage there as soon as
      // it is copied out: collecting now (well under 1 ms) keeps its memory at
      // what is live rather than twice that.
      if (b !== null && b.length >= 1 << 20) (x as unknown as { __collect?: () => void }).__collect?.();
      return b;
    },
    readlink(path) {
      const t = x.fsReadlink(vol, path);
      if (t === null) { const e = readError(x); if (e) throw e; }
      return t;
    },
  };
}

// ---- registry hives ----

export interface HiveValue {
  name: string;
  /** REG_* number */
  type: number;
  typeName: string;
  size: number;
  /** the data bytes as hex (cut at 1 MiB: then hexTruncated) */
  hex: string;
  hexTruncated?: boolean;
  /** REG_SZ, REG_EXPAND_SZ, REG_LINK: the text up to the first NUL */
  string?: string;
  /** REG_MULTI_SZ */
  strings?: string[];
  /** REG_DWORD, REG_DWORD_BIG_ENDIAN */
  number?: number;
  /** REG_QWORD in decimal (a u64 does not fit a number) */
  qword?: string;
  /** set when the data could not be read (hex is then empty) */
  error?: string;
  errorCode?: string;
}

export interface HiveKey {
  name: string;
  path: string;
  /** cell offset: hiveKeyAtJson(h, offset) reads the key again */
  offset: number;
  /** FILETIME */
  lastWritten: number;
  subkeys: { name: string; offset: number }[];
  values: HiveValue[];
}

export interface HiveInfo {
  path: string;
  version: string;
  primarySequence: number;
  secondarySequence: number;
  checksumOk: boolean;
  dirty: boolean;
  lastWritten: number;
  fileName: string;
  binsSize: number;
  /** the .LOG1/.LOG2 files found beside the hive */
  logs: string[];
  logsApplied: boolean;
  logEntriesApplied?: number;
  logFirstSequence?: number;
  logLastSequence?: number;
  baseBlockFromLog?: boolean;
  /** "new (HvLE entries)" | "old (DIRT pages)" | "" (nothing applied) */
  logFormat?: string;
  logNotes?: string[];
  rootName: string;
}

export interface HiveError { kind: string; code: string; message: string }

/** One open hive, as rules read it: keys by backslash path (any case), values by name (any case). */
export interface HiveView {
  readonly info: HiveInfo;
  /** the key, or null when absent; throws HiveReadError when the hive is damaged there */
  key(path: string): HiveKey | null;
  value(path: string, name: string): HiveValue | null;
  close(): void;
}

export class HiveReadError extends Error {
  constructor(readonly info: HiveError) {
    super(info.message);
  }
}

function hiveFromHandle(x: WasmExports, h: number): HiveView {
  const fail = (): never => { throw new HiveReadError(JSON.parse(x.lastErrorJson()) as HiveError); };
  const infoText = x.hiveInfoJson(h);
  if (infoText === '') fail();
  const info = JSON.parse(infoText) as HiveInfo;
  const view: HiveView = {
    info,
    key(path) {
      const s = x.hiveKeyJson(h, path);
      if (s === '') fail();
      return s === 'null' ? null : (JSON.parse(s) as HiveKey);
    },
    value(path, name) {
      const k = view.key(path);
      if (k === null) return null;
      const n = name.toUpperCase();
      return k.values.find((v) => v.name.toUpperCase() === n) ?? null;
    },
    close() { x.hiveClose(h); },
  };
  return view;
}

/**
 * Opens the hive at `path` of the guest tree (vol = -1) or of one volume,
 * applying its .LOG1/.LOG2 in memory when it is dirty. null when the file is
 * absent; throws HiveReadError when it is not a readable hive.
 */
export function wasmHiveView(x: WasmExports, path: string, vol = -1): HiveView | null {
  const h = x.hiveOpen(vol, path);
  if (h < 0) {
    const e = JSON.parse(x.lastErrorJson()) as HiveError | null;
    if (e === null) return null;
    throw new HiveReadError(e);
  }
  return hiveFromHandle(x, h);
}

/** The same over host files given to the engine (tests, and hives given on their own). */
export function wasmHostHiveView(x: WasmExports, fileId: number, log1 = -1, log2 = -1): HiveView {
  const h = x.hiveOpenHost(fileId, log1, log2);
  if (h < 0) throw new HiveReadError(JSON.parse(x.lastErrorJson()) as HiveError);
  return hiveFromHandle(x, h);
}
