// SPDX-License-Identifier: Apache-2.0
// Transaction logs of the new format (*.LOG1, *.LOG2, Windows 8.1 and later):
// a partial base block, then "HvLE" log entries of dirty 4 KiB pages, each
// sealed by two Marvin32 hashes (Windows registry file format specification,
// "Format of transaction log files", "New format"; its note "Missing log
// entries for a dirty primary file"). Entries are applied in sequence order
// from the primary file's secondary sequence number on, in memory only.
// Old-format logs (a dirty-page bitmap, Windows XP to 8) apply when no
// new-format entry does.

import { Device } from "../io/device";
import { corrupt, unsupported, limit } from "../util/error";
import { u32le, u64le, asciiAt } from "../util/bytes";
import { BaseBlock, FILE_TYPE_LOG_NEW, FILE_TYPE_LOG_OLD, HBIN_START } from "./base-block";
import { HiveBytes } from "./hive-bytes";
import { marvin32 } from "./marvin32";

const HVLE_SEED: u64 = 0x82ef4d887a4e55c5;
const SECTOR: i32 = 512;
/** A log larger than this is refused (Windows rotates logs long before). */
const MAX_LOG: u64 = 512 << 20;

class LogEntry {
  seq: u32 = 0;
  binsSize: u32 = 0;
  log: Uint8Array = new Uint8Array(0);
  /** offset of the entry in its log */
  at: i32 = 0;
  pages: i32 = 0;
}

export class ReplayResult {
  entriesApplied: i32 = 0;
  firstSeq: u32 = 0;
  lastSeq: u32 = 0;
  binsSize: u32 = 0;
  /** a log base block recovered a primary base block whose checksum was wrong */
  baseFromLog: BaseBlock | null = null;
  notes: string[] = [];
  /** old-format (DIRT) logs found, applied only when no new-format entry was */
  oldLogs: Uint8Array[] = [];
  oldLogNames: string[] = [];
  oldFormat: bool = false;
}

/**
 * An old-format log ("Old format": Windows XP to 8): a partial base block,
 * "DIRT" and a bitmap of the hive bins' 512-byte pages, then the dirty
 * pages in bitmap order from the next sector. It applies when it is valid
 * (checksum, equal sequence numbers) and was written for this primary (same
 * last-written timestamp). Returns false with the error set; `applied` tells
 * whether it was used.
 */
function applyOldLog(bytes: HiveBytes, base: BaseBlock, log: Uint8Array, name: string, res: ReplayResult): bool {
  const lb = BaseBlock.parse(log, name);
  if (lb === null) return false;
  if (!lb.checksumOk || lb.primarySeq != lb.secondarySeq) { res.notes.push(name + ": old-format log is itself incomplete (checksum or sequence numbers)"); return true; }
  if (base.checksumOk && lb.lastWritten != base.lastWritten) { res.notes.push(name + ": old-format log was written for another state of the hive (timestamp differs)"); return true; }
  if ((lb.binsSize & 4095) != 0 || lb.binsSize == 0) { corrupt("hive.log.bins-size", name + ": hive bins size " + lb.binsSize.toString()); return false; }
  if (log.length < SECTOR + 4 || !asciiAt(log, SECTOR, "DIRT")) { corrupt("hive.log.dirt", name + ": no dirty vector (\"DIRT\") at offset 512"); return false; }
  const pages = <i32>(lb.binsSize / <u32>SECTOR);
  const bitmapBytes = (pages + 7) >> 3;
  if (SECTOR + 4 + bitmapBytes > log.length) { corrupt("hive.log.dirt", name + ": the dirty vector runs past the end of the log"); return false; }
  let p = (SECTOR + 4 + bitmapBytes + SECTOR - 1) & ~(SECTOR - 1);
  for (let i = 0; i < pages; i++) {
    if ((<i32>log[SECTOR + 4 + (i >> 3)] & (1 << (i & 7))) == 0) continue;
    if (p + SECTOR > log.length) { corrupt("hive.log.pages", name + ": the log ends before dirty page " + i.toString()); return false; }
    if (!bytes.patchBytes(HBIN_START + <u64>i * <u64>SECTOR, log, p, SECTOR)) return false;
    p += SECTOR;
    res.entriesApplied++;
  }
  res.oldFormat = true;
  res.binsSize = lb.binsSize;
  res.firstSeq = lb.primarySeq;
  res.lastSeq = lb.primarySeq;
  if (!base.checksumOk) res.baseFromLog = lb;
  return true;
}

/** Valid entries of one log, up to the first torn or bogus one. */
function readEntries(dev: Device, name: string, out: LogEntry[], res: ReplayResult, base: BaseBlock): bool {
  if (dev.size > MAX_LOG) { limit("hive.log.size", name + ": " + dev.size.toString() + " bytes"); return false; }
  if (dev.size < <u64>SECTOR) { res.notes.push(name + " is empty"); return true; }
  const log = dev.read(0, <i32>dev.size);
  if (log === null) return false;
  const lb = BaseBlock.parse(log, name);
  if (lb === null) return false;
  if (lb.fileType == FILE_TYPE_LOG_OLD) { res.oldLogs.push(log); res.oldLogNames.push(name); return true; }
  if (lb.fileType != FILE_TYPE_LOG_NEW) {
    unsupported("hive.log.type", name + ": transaction log of file type " + lb.fileType.toString() + " is not a known log format");
    return false;
  }
  if (!base.checksumOk && lb.checksumOk && res.baseFromLog === null) res.baseFromLog = lb;
  let p = SECTOR;
  while (p + 40 <= log.length && asciiAt(log, p, "HvLE")) {
    const size = <i32>u32le(log, p + 4);
    const count = <i32>u32le(log, p + 20);
    if (size < 40 || (size & (SECTOR - 1)) != 0 || p + size > log.length || count < 0 || 40 + 8 * count > size) break;
    if (marvin32(log.dataStart + <usize>(p + 40), size - 40, HVLE_SEED) != u64le(log, p + 24)) break;
    if (marvin32(log.dataStart + <usize>p, 32, HVLE_SEED) != u64le(log, p + 32)) break;
    const e = new LogEntry();
    e.seq = u32le(log, p + 12);
    e.binsSize = u32le(log, p + 16);
    if ((e.binsSize & 4095) != 0) break;
    e.log = log;
    e.at = p;
    e.pages = count;
    // the pages must fill the entry exactly as the references say
    let total = 40 + 8 * count;
    let ok = true;
    for (let i = 0; i < count; i++) {
      const sz = <i32>u32le(log, p + 40 + 8 * i + 4);
      const off = u32le(log, p + 40 + 8 * i);
      if (sz <= 0 || (sz & 4095) != 0 || <u64>off + <u64>sz > <u64>e.binsSize) { ok = false; break; }
      total += sz;
    }
    if (!ok || total > size) break;
    out.push(e);
    p += size;
  }
  return true;
}

/** Applies the logs' subsequent entries to `bytes`; null with the error set. */
export function replayLogs(bytes: HiveBytes, base: BaseBlock, logs: Device[], names: string[]): ReplayResult | null {
  const res = new ReplayResult();
  const entries: LogEntry[] = [];
  for (let i = 0; i < logs.length; i++) if (!readEntries(logs[i], names[i], entries, res, base)) return null;
  // subsequent entries: sequence numbers from the primary file's secondary one on
  // (a partial reconcile may have skipped some, so the first need not equal it),
  // applied in order while they follow one another
  const start = res.baseFromLog !== null ? res.baseFromLog!.secondarySeq : base.secondarySeq;
  res.binsSize = res.baseFromLog !== null ? res.baseFromLog!.binsSize : base.binsSize;
  let want: u32 = 0xffffffff;
  for (let i = 0; i < entries.length; i++) if (entries[i].seq >= start && entries[i].seq < want) want = entries[i].seq;
  if (want != start && want != 0xffffffff) res.notes.push("log entries resume at sequence number " + want.toString() + ", after " + start.toString());
  for (let guard = 0; guard <= entries.length && want != 0xffffffff; guard++) {
    let e: LogEntry | null = null;
    for (let i = 0; i < entries.length; i++) if (entries[i].seq == want) { e = entries[i]; break; }
    if (e === null) break;
    let dp = e.at + 40 + 8 * e.pages;
    for (let i = 0; i < e.pages; i++) {
      const off = u32le(e.log, e.at + 40 + 8 * i);
      const sz = <i32>u32le(e.log, e.at + 40 + 8 * i + 4);
      if (!bytes.patch(HBIN_START + <u64>off, e.log, dp, sz)) return null;
      dp += sz;
    }
    if (res.entriesApplied == 0) res.firstSeq = want;
    res.lastSeq = want;
    res.entriesApplied++;
    res.binsSize = e.binsSize;
    want++;
  }
  if (res.entriesApplied == 0 && res.oldLogs.length > 0) {
    for (let i = 0; i < res.oldLogs.length && res.entriesApplied == 0; i++) {
      if (!applyOldLog(bytes, base, res.oldLogs[i], res.oldLogNames[i], res)) return null;
    }
  } else if (res.entriesApplied == 0) res.notes.push("no log entry has a sequence number from " + start.toString() + " on");
  if (HBIN_START + <u64>res.binsSize > bytes.size) {
    corrupt("hive.log.short", names.join("+") + ": after replay the hive bins end at " + (HBIN_START + <u64>res.binsSize).toString() +
      " but only " + bytes.size.toString() + " bytes exist");
    return null;
  }
  return res;
}
