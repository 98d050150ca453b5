// SPDX-License-Identifier: Apache-2.0
// Sentences that rules still write as English strings (the Windows
// Architecture and KernelVersion items, owned by another branch), matched
// to catalog messages so the page can say them in the reader's language.
// When those rules say their text through the catalog (msg/said), these
// forms can go.
import type { Message } from './types';
import { matchSentence } from './engine-sentences';

const FORMS: [RegExp, string][] = [
  [/^(?<value>.+), agrees with the kernel$/, 'ev.win.Architecture.agrees'],
  [/^(?<value>.+), DISAGREES with the kernel's (?<arch>\S+)$/, 'ev.win.Architecture.disagrees'],
  [/^(?<base>CurrentBuild \d+(?:, UBR \d+)?: \S+), agrees with ntoskrnl\.exe$/, 'ev.win.KernelVersion.agrees'],
  [/^(?<base>CurrentBuild \d+(?:, UBR \d+)?: \S+), DISAGREES with ntoskrnl\.exe's (?<file>\S+) \(the kernel file and the registry come from different updates, or one was replaced\)$/, 'ev.win.KernelVersion.disagrees'],
  [/^(?<base>CurrentBuild \d+(?:, UBR \d+)?: \S+) \(used: the kernel file gave no version\)$/, 'ev.win.KernelVersion.registryUsed'],
  [/^version resource unreadable: (?<code>[\w.-]+): (?<detail>.*)$/, 'ev.win.KernelVersion.resourceUnreadable'],
  [/^not a readable PE image: (?<code>[\w.-]+): (?<detail>.*)$/, 'ev.win.KernelVersion.notPe'],
  [/^no file version in the version resource(?<rest>.*)$/, 'ev.win.KernelVersion.noFileVersion'],
];

/** The catalog message for a sentence a rule wrote in English, or null. */
export function ruleSentence(text: string): Message | null {
  return matchSentence(FORMS, text);
}
