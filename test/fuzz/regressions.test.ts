// SPDX-License-Identifier: Apache-2.0
// Every crash or hang the fuzz campaign found, minimized, as a fixture under
// test/fuzz/regressions/<target>/: each must now end in its named error.
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { parseNetplan } from '../../src/facts/network/netplan';
import { YamlError } from '../../src/facts/network/yaml';

const dir = new URL('./regressions/', import.meta.url);
const bytes = (p: string) => new Uint8Array(readFileSync(new URL(p, dir)));
const text = (p: string) => new TextDecoder().decode(bytes(p));

describe('fuzz regressions: TypeScript parsers', () => {
  it('netplan: a flow sequence closed by "}" is an error, not an endless loop', () => {
    expect(() => parseNetplan('/etc/netplan/x.yaml', text('netplan/flow-seq-brace.yaml'))).toThrow(YamlError);
    expect(() => parseNetplan('/etc/netplan/x.yaml', text('netplan/flow-seq-brace.yaml'))).toThrow(/line 2: unexpected "}" in a \[ \] sequence/);
  });
  it('netplan: a flow mapping closed by "]" is an error, not an endless loop', () => {
    expect(() => parseNetplan('/etc/netplan/x.yaml', text('netplan/flow-map-bracket.yaml'))).toThrow(/line 2: unexpected "\]" in a/);
  });
});
