// SPDX-License-Identifier: Apache-2.0
import type { Rule } from '../rule';
import { finding } from '../rule';
import type { Evidence, MessageParam } from '../../report/types';
import { networkFacts } from '../../facts/network/network';
import { cloudInitNetwork } from '../../facts/network/cloud-init-net';
import type { LineEdit, NetConfig } from '../../facts/network/types';
import { bootEntry } from '../../facts/boot-entries';
import { shq } from '../../facts/shell';
import { readText } from '../guest-view';
import { msg, said } from '../../report/message';

const SOURCE_NAME: Record<NetConfig['source'], string> = {
  ifcfg: 'ifcfg', ifupdown: 'ifupdown', netplan: 'netplan', networkmanager: 'NetworkManager keyfile', networkd: 'systemd-networkd', wicked: 'wicked',
};

/** One sed over the file, every address by its line in the original file (sed numbers input lines). */
function sedEdits(path: string, edits: LineEdit[]): string {
  const exprs = [...edits].sort((a, b) => a.line - b.line).map((e) =>
    e.op === 'comment' ? `${e.line}s/^/#/` : `${e.line}${e.op === 'replace' ? 'c' : e.op === 'append' ? 'a' : 'i'}\\${e.text!.replace(/\\/g, '\\\\')}`);
  return `sed -i ${exprs.map((x) => `-e ${shq(x)}`).join(' ')} ${shq(path)}`;
}

/** Files cloud-init renders from the datasource: on a new instance it writes them again, with ECS's DHCP. */
function renderedByCloudInit(c: NetConfig, text: string): boolean {
  return /\/(50-cloud-init\.yaml|50-cloud-init(\.cfg)?|cloud-init-[^/]*\.nmconnection|10-cloud-init-[^/]*\.network)$/.test(c.path) ||
    /^#.*(cloud-init|generated from information provided by the datasource)/im.test(text.split('\n').slice(0, 3).join('\n'));
}

/** The configuration line, and what it means when there is something to say. */
function ev(c: NetConfig, key?: string, params: Record<string, MessageParam> = {}): Evidence {
  return key ? said(c.path, key, { line: c.text.trim(), ...params }, c.line) : { path: c.path, line: c.line, text: c.text.trim() };
}

/**
 * Dhcp (CHECKS.md): the primary interface (eth0, else a predictable name such
 * as ens5, else the first configured one) gets its IPv4 address by DHCP, in
 * whichever form the guest's network stack keeps it. ECS hands addresses out
 * by DHCP, so a static address from the source network leaves the instance
 * unreachable. With no configuration, cloud-init (when it runs) or
 * NetworkManager's automatic connection supply DHCP.
 */
export const dhcp: Rule = {
  name: 'Dhcp',
  platforms: ['Linux'],
  run(ctx) {
    const g = ctx.guest!;
    const net = networkFacts(g);
    const ci = cloudInitNetwork(g, bootEntry(g)?.cmdline ?? '');
    const p = net.primary;
    const others = net.configs.filter((c) => c !== p).map((c) => ev(c, 'ev.Dhcp.other', { iface: c.iface, method: c.method }));
    if (p === null) {
      if (ci.active) return finding('Dhcp', 'pass', 'Supported', [...ci.evidence, ...net.notes]);
      if (net.networkManager) {
        return finding('Dhcp', 'pass', 'Supported', [said('/usr/sbin/NetworkManager', 'ev.Dhcp.networkManager'), ...net.notes]);
      }
      return finding('Dhcp', 'fail', 'Unsupported', [said('/etc', 'ev.Dhcp.noConfig'), ...ci.evidence, ...net.notes], {
        riskLevel: 'High', riskCode: 'Dhcp.NoConfig',
        solution: msg('fix.Dhcp.noConfig'),
      });
    }
    const what = msg('fix.Dhcp.what', { source: SOURCE_NAME[p.source], iface: p.iface });
    if (p.method === 'dhcp' && p.notAtBoot) {
      const command = sedEdits(p.path, p.notAtBoot.fix);
      return finding('Dhcp', 'fail', 'Unsupported', [said(p.path, 'ev.Dhcp.notAtBoot', { line: p.notAtBoot.text.trim(), iface: p.iface }, p.notAtBoot.line), ev(p), ...others, ...ci.evidence], {
        riskLevel: 'High', riskCode: 'Dhcp.NotStartedAtBoot',
        solution: msg('fix.Dhcp.notAtBoot', { what, iface: p.iface, command }),
        command,
      });
    }
    if (p.method === 'dhcp') {
      if (p.mac && !ci.active) {
        return finding('Dhcp', 'warn', 'Supported', [ev(p, 'ev.Dhcp.mac', { mac: p.mac }), ...others, ...ci.evidence], {
          riskLevel: 'Medium', riskCode: 'Dhcp.MacAddressBound',
          solution: msg('fix.Dhcp.mac', { what, mac: p.mac, path: p.path }),
        });
      }
      // a VMware/VirtualBox name (ens33, enp0s3) is not what the ECS NIC gets; NetworkManager's automatic
      // connection or cloud-init covers the new name, ifupdown/netplan/networkd do not
      if (/^en[ops]\w+$/.test(p.iface) && !p.pattern && !ci.active && !net.networkManager) {
        return finding('Dhcp', 'warn', 'Supported', [ev(p, 'ev.Dhcp.onlyIface', { iface: p.iface }), ...others, ...ci.evidence], {
          riskLevel: 'Medium', riskCode: 'Dhcp.InterfaceName',
          solution: msg('fix.Dhcp.interfaceName', { iface: p.iface }),
        });
      }
      return finding('Dhcp', 'pass', 'Supported', [p.iface.includes('*') || p.pattern ? ev(p, 'ev.Dhcp.matches', { iface: p.iface }) : ev(p), ...others, ...(ci.installed ? ci.evidence : [])]);
    }
    const command = p.toDhcp.length ? sedEdits(p.path, p.toDhcp) : '';
    const fix = command ? msg('fix.Dhcp.switchCommand', { command }) : msg('fix.Dhcp.switchFile', { path: p.path, iface: p.iface });
    if (p.method === 'static' && ci.active && renderedByCloudInit(p, readText(g, p.path, 4096) ?? '')) {
      return finding('Dhcp', 'warn', 'Supported', [ev(p, 'ev.Dhcp.staticCloudInit', { address: p.address }), ...others, ...ci.evidence], {
        riskLevel: 'Medium', riskCode: 'Dhcp.StaticIp',
        solution: msg(command ? 'fix.Dhcp.staticCloudInit' : 'fix.Dhcp.staticCloudInitNoCommand', { what, address: p.address, command }),
        ...(command ? { command } : {}),
      });
    }
    if (p.method === 'static') {
      return finding('Dhcp', 'fail', 'Unsupported', [ev(p, 'ev.Dhcp.static', { address: p.address }), ...others, ...ci.evidence], {
        riskLevel: 'High', riskCode: 'Dhcp.StaticIp',
        solution: msg('fix.Dhcp.static', { what, address: p.address, fix }),
        ...(command ? { command } : {}),
      });
    }
    return finding('Dhcp', 'fail', 'Unsupported', [ev(p, 'ev.Dhcp.noIpv4'), ...others, ...ci.evidence], {
      riskLevel: 'High', riskCode: 'Dhcp.NoIpv4',
      solution: msg('fix.Dhcp.noIpv4', { what, fix }),
      ...(command ? { command } : {}),
    });
  },
};
