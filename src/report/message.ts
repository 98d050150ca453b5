// SPDX-License-Identifier: Apache-2.0
// How rules and facts say things: a catalog key and its parameters. The
// English string the report contract carries is rendered from the English
// catalog at once; the message itself rides along (Finding.messages) so the
// page and the Markdown report can say it in the reader's language.
import type { Evidence, Finding, FindingMessages, Message, MessageParam } from './types';
import { render } from './i18n';

export function msg(key: string, params?: Record<string, MessageParam>): Message {
  return params ? { key, params } : { key };
}

/** English text of a message, as the report contract carries it. */
export function english(m: Message): string {
  return render('en', m);
}

// Evidence objects are plain contract data ({ path, line?, text }); the message
// behind one is kept aside until finding() gathers it, so the objects stay
// what tests and JSON users compare.
const behind = new WeakMap<Evidence, Message>();

/** Evidence whose text is a catalog message. */
export function said(path: string, key: string, params?: Record<string, MessageParam>, line?: number): Evidence {
  const m = msg(key, params);
  const e: Evidence = line ? { path, line, text: english(m) } : { path, text: english(m) };
  behind.set(e, m);
  return e;
}

/** The message behind an evidence, when it was said by the catalog. */
export function evidenceMessage(e: Evidence): Message | undefined {
  return behind.get(e);
}

/** Records the messages behind the finding's evidence (again after a rule added evidence to a finding). */
export function gatherMessages(f: Finding, extra: FindingMessages = {}): Finding {
  const ms: FindingMessages = { ...(f.messages ?? {}), ...extra };
  const ev = f.evidence.map((e) => behind.get(e) ?? null);
  if (ev.some((m) => m !== null)) ms.evidence = ev;
  else delete ms.evidence;
  if (ms.value || ms.solution || ms.evidence) f.messages = ms;
  else delete f.messages;
  return f;
}

/** Evidence whose English text is given as it is (the engine's own words) and whose message says it in other languages. */
export function explained(path: string, text: string, m: Message, line?: number): Evidence {
  const e: Evidence = line ? { path, line, text } : { path, text };
  behind.set(e, m);
  return e;
}
