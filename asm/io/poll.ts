// SPDX-License-Identifier: Apache-2.0
// Runaway work ends at the host's time budget: every device read counts a
// tick, and every POLL_EVERY ticks the host is asked (hostPoll), which throws
// out of the wasm once the budget is spent. Loops that cycle over cached
// metadata read through a device too, so they reach this without host reads.

import { hostPoll } from "./host";

const POLL_EVERY: u32 = 4096;
let ticks: u32 = 0;

export function tick(): void {
  if (++ticks >= POLL_EVERY) {
    ticks = 0;
    hostPoll();
  }
}
