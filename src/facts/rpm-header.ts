// SPDX-License-Identifier: Apache-2.0
// An rpm header as the rpm database stores it (rpm's lib/header.c "header
// blob"): index count il and data length dl (u32 big-endian), il index
// entries of 16 bytes (tag, type, offset, count), then dl bytes of data.

export const RPMTAG_NAME = 1000;
export const RPMTAG_VERSION = 1001;
export const RPMTAG_RELEASE = 1002;
export const RPMTAG_EPOCH = 1003;
export const RPMTAG_ARCH = 1022;
const RPM_INT32_TYPE = 4;
const RPM_STRING_TYPE = 6;
const RPM_I18NSTRING_TYPE = 9;
/** rpm's own limits (hdrchkTags, hdrchkData) */
const MAX_TAGS = 0xffff;
const MAX_DATA = 256 << 20;

export interface RpmPackage {
  name: string;
  version: string;
  release: string;
  epoch: number | null;
  arch: string;
}

const latin1 = new TextDecoder('latin1');

/** Parses a header blob; null when it is not one (bounds are checked, never trusted). */
export function parseRpmHeaderBlob(b: Uint8Array): RpmPackage | null {
  if (b.length < 8) return null;
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const il = v.getUint32(0), dl = v.getUint32(4);
  if (il === 0 || il > MAX_TAGS || dl > MAX_DATA || 8 + il * 16 + dl > b.length) return null;
  const dataStart = 8 + il * 16;
  const str = (off: number): string | null => {
    if (off >= dl) return null;
    const s = dataStart + off;
    const end = b.indexOf(0, s);
    if (end < 0 || end > dataStart + dl) return null;
    return latin1.decode(b.subarray(s, end));
  };
  const pkg: RpmPackage = { name: '', version: '', release: '', epoch: null, arch: '' };
  for (let i = 0; i < il; i++) {
    const e = 8 + i * 16;
    const tag = v.getUint32(e), type = v.getUint32(e + 4), off = v.getUint32(e + 8);
    if (tag === RPMTAG_EPOCH && type === RPM_INT32_TYPE && off + 4 <= dl) { pkg.epoch = v.getUint32(dataStart + off); continue; }
    if (type !== RPM_STRING_TYPE && type !== RPM_I18NSTRING_TYPE) continue;
    const s = tag === RPMTAG_NAME || tag === RPMTAG_VERSION || tag === RPMTAG_RELEASE || tag === RPMTAG_ARCH ? str(off) : null;
    if (s === null) continue;
    if (tag === RPMTAG_NAME) pkg.name = s;
    else if (tag === RPMTAG_VERSION) pkg.version = s;
    else if (tag === RPMTAG_RELEASE) pkg.release = s;
    else pkg.arch = s;
  }
  return pkg.name ? pkg : null;
}

/** "1.2-3.el7" (with "epoch:" when set), as rpm -q prints the version */
export function rpmEvr(p: RpmPackage): string {
  return `${p.epoch ? `${p.epoch}:` : ''}${p.version}${p.release ? `-${p.release}` : ''}`;
}
