// SPDX-License-Identifier: Apache-2.0
// The one door to the outside (DESIGN.md): the host copies up to `length`
// bytes of file `fileId` at `offset` into wasm memory at `dst` and returns how
// many it copied (FileReaderSync in a browser worker, fs.readSync in Node).
// Offsets cross as f64: exact to 2^53, and it spares a BigInt per call.

@external("env", "hostRead")
export declare function hostRead(fileId: i32, offset: f64, length: i32, dst: i32): i32;

@external("env", "hostSize")
export declare function hostSize(fileId: i32): f64;

@external("env", "hostProgress")
export declare function hostProgress(phase: i32, done: f64, total: f64): void;

// The host's watch over runaway work: it throws (unwinding the wasm) once the
// check's time budget is spent, and keeps the worker's heartbeat going.
@external("env", "hostPoll")
export declare function hostPoll(): void;
