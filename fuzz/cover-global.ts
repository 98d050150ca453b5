// SPDX-License-Identifier: Apache-2.0
// The edge-counter map the instrumented JavaScript parsers write into
// (fuzz/js-cover.mjs inserts __cov(id) calls); imported first by the
// campaign so the global exists before any instrumented module runs.
export const JS_MAP_SIZE = 0x10000;
export const jsMap = new Uint8Array(JS_MAP_SIZE);
let prev = 0;
(globalThis as unknown as { __cov(id: number): void }).__cov = (id: number) => {
  jsMap[(id ^ prev) & (JS_MAP_SIZE - 1)]++;
  prev = id >> 1;
};
export function resetJsEdge(): void { prev = 0; }
