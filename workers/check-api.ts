// SPDX-License-Identifier: Apache-2.0
// The check worker's interface, apart from its code so that the UI realm can
// name it without type-checking worker-only globals (FileReaderSync).
import type { CheckOptions } from '../src/engine/check';
import type { Progress, Report } from '../src/report/types';

export interface CheckWorkerApi {
  check(files: File[], opts: Omit<CheckOptions, 'onProgress'>, onProgress?: (p: Progress) => void): Promise<Report>;
}
