// SPDX-License-Identifier: Apache-2.0
// One interface's IPv4 configuration as any of the guest's network stacks
// writes it, with the line that decided it and the edits that would switch
// that file to DHCP.

export type Ipv4Method = 'dhcp' | 'static' | 'none';
export type NetSource = 'ifcfg' | 'ifupdown' | 'netplan' | 'networkmanager' | 'networkd' | 'wicked';

/** A change to one line, by its 1-based number in the original file. */
export interface LineEdit { line: number; op: 'replace' | 'comment' | 'append' | 'insert'; text?: string }

export interface NetConfig {
  source: NetSource;
  /** the interface name, or a glob (en*, *) when the configuration matches by pattern */
  iface: string;
  pattern: boolean;
  method: Ipv4Method;
  /** the static address as written, "" otherwise */
  address: string;
  /** the MAC address the configuration is bound to (HWADDR=, match: macaddress, mac-address=), "" when none */
  mac?: string;
  path: string;
  line: number;
  text: string;
  toDhcp: LineEdit[];
  /** set when nothing brings the interface up at boot (ONBOOT=no, STARTMODE='manual', no `auto` line, autoconnect=false) */
  notAtBoot?: { line: number; text: string; fix: LineEdit[] };
}

/** Shell-style glob on interface names (networkd Name=, netplan match, ifupdown patterns). */
export function globMatch(pattern: string, name: string): boolean {
  const re = '^' + pattern.replace(/[.+^${}()|\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.') + '$';
  return new RegExp(re).test(name);
}
