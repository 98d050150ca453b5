// SPDX-License-Identifier: Apache-2.0
// Errors cross every layer as one "last error" record: AssemblyScript has no
// catchable exceptions, so a fallible call returns null / false / -1 and leaves
// the reason here. Kinds stay apart (STYLE.md): an I/O failure, a format this
// reader does not support (says nothing bad about the image), corruption, and a
// limit that stopped runaway work.

export const enum ErrorKind {
  None = 0,
  Io = 1,
  Unsupported = 2,
  Corrupt = 3,
  Limit = 4,
}

export class GcError {
  constructor(
    public kind: ErrorKind,
    /** stable dotted code, e.g. "gpt.header.crc" */
    public code: string,
    /** a sentence a person can act on */
    public message: string,
  ) {}
}

let last: GcError | null = null;

export function setError(kind: ErrorKind, code: string, message: string): void {
  last = new GcError(kind, code, message);
}

export function corrupt(code: string, message: string): void {
  setError(ErrorKind.Corrupt, code, message);
}

export function unsupported(code: string, message: string): void {
  setError(ErrorKind.Unsupported, code, message);
}

export function limit(code: string, message: string): void {
  setError(ErrorKind.Limit, code, message);
}

export function ioError(code: string, message: string): void {
  setError(ErrorKind.Io, code, message);
}

export function lastError(): GcError | null {
  return last;
}

export function clearError(): void {
  last = null;
}

export function hasError(): bool {
  return last !== null;
}

/** Prefixes the current error's message with context ("partition 2: ..."). */
export function addContext(prefix: string): void {
  const e = last;
  if (e !== null) e.message = prefix + ": " + e.message;
}

export function kindName(kind: ErrorKind): string {
  switch (kind) {
    case ErrorKind.Io: return "io";
    case ErrorKind.Unsupported: return "unsupported";
    case ErrorKind.Corrupt: return "corrupt";
    case ErrorKind.Limit: return "limit";
    default: return "none";
  }
}
