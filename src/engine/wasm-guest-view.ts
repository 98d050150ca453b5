// SPDX-License-Identifier: Apache-2.0
// The GuestView rules read, answered by the wasm engine's guest tree.
import type { GuestView, GuestStat, GuestEntry } from '../rules/guest-view';
import type { WasmExports } from './wasm';

export function wasmGuestView(x: WasmExports, vol = -1): GuestView {
  return {
    stat(path, follow = true): GuestStat | null {
      const s = x.fsStat(vol, path, follow);
      if (s === '' || s === 'null') return null;
      const j = JSON.parse(s);
      return { kind: j.kind, mode: j.mode, size: j.size, path: j.path };
    },
    list(path): GuestEntry[] | null {
      const s = x.fsReaddir(vol, path);
      if (s === '' || s === 'null') return null;
      return (JSON.parse(s) as { name: string; kind: GuestEntry['kind'] }[]).map((e) => ({ name: e.name, kind: e.kind }));
    },
    readBytes(path, offset = 0, maxBytes = 1 << 30) {
      return x.fsRead(vol, path, offset, Math.min(maxBytes, 0x7fffffff));
    },
    readlink(path) {
      return x.fsReadlink(vol, path);
    },
  };
}
