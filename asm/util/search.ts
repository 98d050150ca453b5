// SPDX-License-Identifier: Apache-2.0
// The one lookup every random-access index makes: which checkpoint, frame,
// block or extent a byte offset falls in, over a list sorted by its start.

/**
 * Index of the last item whose key is at or before `offset`; 0 when none is
 * (the first item starts the data). `items` ascend by key and are not empty.
 */
export function lastAtOrBefore<T>(items: T[], offset: u64, key: (item: T) => u64): i32 {
  let lo = 0, hi = items.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (key(items[mid]) <= offset) lo = mid; else hi = mid - 1;
  }
  return lo;
}
