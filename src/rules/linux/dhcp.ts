// SPDX-License-Identifier: Apache-2.0
import type { Rule } from '../rule';
import { finding } from '../rule';
import type { Evidence } from '../../report/types';
import { networkFacts } from '../../facts/network/network';
import { cloudInitNetwork } from '../../facts/network/cloud-init-net';
import type { LineEdit, NetConfig } from '../../facts/network/types';
import { bootEntry } from '../../facts/boot-entries';
import { shq } from '../../facts/shell';
import { readText } from '../guest-view';

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

function ev(c: NetConfig, extra = ''): Evidence {
  return { path: c.path, line: c.line, text: `${c.text.trim()}${extra}` };
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
    const others = net.configs.filter((c) => c !== p).map((c) => ev(c, `  (${c.iface}, ${c.method})`));
    if (p === null) {
      if (ci.active) return finding('Dhcp', 'pass', 'Supported', [...ci.evidence, ...net.notes]);
      if (net.networkManager) {
        return finding('Dhcp', 'pass', 'Supported', [{ path: '/usr/sbin/NetworkManager', text: 'no connection configured: NetworkManager brings an unconfigured ethernet up with DHCP' }, ...net.notes]);
      }
      return finding('Dhcp', 'fail', 'Unsupported', [{ path: '/etc', text: 'no network configuration for any interface (ifcfg, interfaces, netplan, NetworkManager, systemd-networkd, wicked) and no cloud-init' }, ...ci.evidence, ...net.notes], {
        riskLevel: 'High', riskCode: 'Dhcp.NoConfig',
        solution: 'Nothing configures the network, so the instance is unreachable: configure DHCP on eth0 (or install cloud-init, which does so at first boot).',
      });
    }
    const what = `${SOURCE_NAME[p.source]} configuration of ${p.iface}`;
    if (p.method === 'dhcp' && p.notAtBoot) {
      const command = sedEdits(p.path, p.notAtBoot.fix);
      return finding('Dhcp', 'fail', 'Unsupported', [{ path: p.path, line: p.notAtBoot.line, text: `${p.notAtBoot.text.trim()}  — ${p.iface} is not brought up at boot` }, ev(p), ...others, ...ci.evidence], {
        riskLevel: 'High', riskCode: 'Dhcp.NotStartedAtBoot',
        solution: `The ${what} asks for DHCP, but nothing brings ${p.iface} up at boot, so the instance would be unreachable. Start it at boot: ${command}`,
        command,
      });
    }
    if (p.method === 'dhcp') {
      if (p.mac && !ci.active) {
        return finding('Dhcp', 'warn', 'Supported', [ev(p, `  — bound to MAC ${p.mac}`), ...others, ...ci.evidence], {
          riskLevel: 'Medium', riskCode: 'Dhcp.MacAddressBound',
          solution: `The ${what} only applies to the NIC with MAC ${p.mac}; an ECS instance gets another MAC, so it does not apply there. Remove the MAC binding from ${p.path}.`,
        });
      }
      // a VMware/VirtualBox name (ens33, enp0s3) is not what the ECS NIC gets; NetworkManager's automatic
      // connection or cloud-init covers the new name, ifupdown/netplan/networkd do not
      if (/^en[ops]\w+$/.test(p.iface) && !p.pattern && !ci.active && !net.networkManager) {
        return finding('Dhcp', 'warn', 'Supported', [ev(p, `  — only for the interface named ${p.iface}`), ...others, ...ci.evidence], {
          riskLevel: 'Medium', riskCode: 'Dhcp.InterfaceName',
          solution: `DHCP is configured for ${p.iface} only. On ECS the NIC is eth0 (with net.ifnames=0) or named by its own PCI slot (e.g. ens5), so this configuration may not apply there: configure eth0 or a pattern (en*), or install cloud-init.`,
        });
      }
      return finding('Dhcp', 'pass', 'Supported', [ev(p, p.iface.includes('*') || p.pattern ? `  (matches ${p.iface})` : ''), ...others, ...(ci.installed ? ci.evidence : [])]);
    }
    const command = p.toDhcp.length ? sedEdits(p.path, p.toDhcp) : '';
    const fix = command ? ` Switch it to DHCP: ${command}` : ` Switch ${p.path} to DHCP for ${p.iface}.`;
    if (p.method === 'static' && ci.active && renderedByCloudInit(p, readText(g, p.path, 4096) ?? '')) {
      return finding('Dhcp', 'warn', 'Supported', [ev(p, `  — static address ${p.address}, written by cloud-init`), ...others, ...ci.evidence], {
        riskLevel: 'Medium', riskCode: 'Dhcp.StaticIp',
        solution: `The ${what} sets the static address ${p.address}, but cloud-init wrote this file and writes it again from ECS's metadata at first boot. To be sure the first boot is reachable, switch it to DHCP:${command ? ` ${command}` : ''}`,
        ...(command ? { command } : {}),
      });
    }
    if (p.method === 'static') {
      return finding('Dhcp', 'fail', 'Unsupported', [ev(p, `  — static address ${p.address}`), ...others, ...ci.evidence], {
        riskLevel: 'High', riskCode: 'Dhcp.StaticIp',
        solution: `The ${what} sets the static address ${p.address}; ECS assigns addresses by DHCP, so the instance would be unreachable.${fix}`,
        ...(command ? { command } : {}),
      });
    }
    return finding('Dhcp', 'fail', 'Unsupported', [ev(p, '  — no IPv4 address'), ...others, ...ci.evidence], {
      riskLevel: 'High', riskCode: 'Dhcp.NoIpv4',
      solution: `The ${what} gives it no IPv4 address (neither DHCP nor static), so the instance would be unreachable.${fix}`,
      ...(command ? { command } : {}),
    });
  },
};
