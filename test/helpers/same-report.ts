// SPDX-License-Identifier: Apache-2.0
// Reports of the same disk in different wrappings (gzip, zip, OVA, xz) must be
// equal except where the wrapping is named: the repair script's header names
// the file the person gave.
import type { Repair } from '../../src/report/types';

export function unnamed(r: Repair | undefined): Repair | undefined {
  return r && { ...r, script: r.script.replace(/^# guestcheck repair script for .*$/m, '# guestcheck repair script for (file)') };
}
