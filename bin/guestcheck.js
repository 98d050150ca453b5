#!/usr/bin/env node
// SPDX-License-Identifier: Apache-2.0
import { main } from '../dist/cli/main.js';

main(process.argv.slice(2), new URL('../build/', import.meta.url)).then(
  (code) => process.exit(code),
  (e) => { process.stderr.write(`guestcheck: ${e?.stack ?? e}\n`); process.exit(2); },
);
