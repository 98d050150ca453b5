// SPDX-License-Identifier: Apache-2.0
// The engine says in English why it took a volume as the guest root, or why
// it found none (asm/guest/guest.ts); its sentences become catalog messages
// (src/report/engine-sentences.ts) so the page can say them in the reader's
// language. A sentence of another form is shown as the engine wrote it.
import type { Evidence } from '../report/types';
import { explained } from '../report/message';
import { engineSentence } from '../report/engine-sentences';

/** Evidence for the engine's root reason. */
export function rootReasonEvidence(path: string, reason: string): Evidence {
  const m = engineSentence(reason);
  return m ? explained(path, reason, m) : { path, text: reason };
}
