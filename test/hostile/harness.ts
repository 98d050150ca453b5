// SPDX-License-Identifier: Apache-2.0
// What the hostile tests share: the release engine run as the worker runs it
// (checkFiles), the guest fixtures unpacked once, and the item lookup.
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { checkFiles, type CheckOptions } from '../../src/engine/check';
import { memoryFiles, type HostFiles, type Instantiate } from '../../src/engine/wasm';
import type { Finding, Report } from '../../src/report/types';

const root = new URL('../../', import.meta.url);
const build = new URL('build/', root);
export const engineModule = await WebAssembly.compile(readFileSync(new URL('guestcheck.wasm', build)));
export const engineInstantiate = (await import(/* @vite-ignore */ new URL('guestcheck.js', build).href)).instantiate as Instantiate;

/** The guest fixtures' manifest (test/fixtures/guest/manifest.json). */
export const manifest = JSON.parse(readFileSync(new URL('test/fixtures/guest/manifest.json', root), 'utf8'));

const unpacked = new Map<string, Uint8Array>();
/** A gzipped fixture under test/fixtures, unpacked (once); callers copy before changing it. */
export function fixture(path: string): Uint8Array {
  let b = unpacked.get(path);
  if (!b) {
    b = new Uint8Array(gunzipSync(readFileSync(new URL(`test/fixtures/${path}`, root))));
    unpacked.set(path, b);
  }
  return b;
}

/** A guest image from the manifest and the offset of its partition with `role` ("root", "boot", "esp"). */
export function guestImage(name: string): { bytes: Uint8Array; part(role: string): { start: number; size: number } } {
  const m = manifest.images.find((i: { name: string }) => i.name === name);
  if (!m) throw new Error(`no guest image ${name} in the manifest`);
  return {
    bytes: fixture(`guest/${m.file}`),
    part(role) {
      const p = m.partitions.find((x: { role: string }) => x.role === role);
      if (!p) throw new Error(`${name} has no ${role} partition`);
      return { start: p.start_bytes, size: p.size_bytes };
    },
  };
}

export function check(buffers: Uint8Array[], names: string[], opts: CheckOptions = {}): Promise<Report> {
  return checkFiles(engineInstantiate, engineModule, memoryFiles(buffers), names, opts);
}

export function checkHost(files: HostFiles, names: string[], opts: CheckOptions = {}): Promise<Report> {
  return checkFiles(engineInstantiate, engineModule, files, names, opts);
}

export const item = (r: Report, name: string): Finding => {
  const f = r.findings.find((x) => x.name === name);
  if (!f) throw new Error(`no ${name} item in the report (${r.findings.map((x) => x.name).join(', ')})`);
  return f;
};

/** name → "status value" of every item: unrelated items are compared with the unbroken image's. */
export const verdicts = (r: Report) => Object.fromEntries(r.findings.map((f) => [f.name, `${f.status} ${f.value}`]));
