// SPDX-License-Identifier: Apache-2.0
// Network configuration files as the distributions' own tools write them
// (installers, cloud-init, yast), for the Dhcp tests.

/** CentOS 7 cloud image (cloud-init's sysconfig renderer style). */
export const CENTOS7_IFCFG_DHCP = `DEVICE="eth0"
BOOTPROTO="dhcp"
ONBOOT="yes"
TYPE="Ethernet"
USERCTL="yes"
PEERDNS="yes"
IPV6INIT="no"
PERSISTENT_DHCLIENT="1"
`;

/** CentOS 7 installer (anaconda / NetworkManager ifcfg-rh) with a manual address. */
export const CENTOS7_IFCFG_STATIC = `TYPE=Ethernet
PROXY_METHOD=none
BROWSER_ONLY=no
BOOTPROTO=none
DEFROUTE=yes
IPV4_FAILURE_FATAL=no
IPV6INIT=yes
IPV6_AUTOCONF=yes
IPV6_DEFROUTE=yes
IPV6_FAILURE_FATAL=no
IPV6_ADDR_GEN_MODE=stable-privacy
NAME=eth0
UUID=5fb06bd0-0bb0-7ffb-45f1-d6edd65f3e03
DEVICE=eth0
ONBOOT=yes
IPADDR=192.168.1.10
PREFIX=24
GATEWAY=192.168.1.1
DNS1=192.168.1.1
`;

/** RHEL 9 installer keyfile, DHCP. */
export const RHEL9_KEYFILE_AUTO = `[connection]
id=ens3
uuid=8a1cf5b0-6b5c-3a53-9f4a-2f3d3f0f0d11
type=ethernet
autoconnect-priority=-999
interface-name=ens3
timestamp=1700000000

[ethernet]

[ipv4]
method=auto

[ipv6]
addr-gen-mode=eui64
method=auto

[proxy]
`;

/** RHEL 9 installer keyfile with a manual address. */
export const RHEL9_KEYFILE_MANUAL = `[connection]
id=ens3
uuid=8a1cf5b0-6b5c-3a53-9f4a-2f3d3f0f0d11
type=ethernet
autoconnect-priority=-999
interface-name=ens3

[ethernet]

[ipv4]
address1=192.168.122.50/24,192.168.122.1
dns=192.168.122.1;
method=manual

[ipv6]
addr-gen-mode=eui64
method=auto

[proxy]
`;

/** SLES 15 (yast2-network) */
export const SUSE_IFCFG_DHCP = `BOOTPROTO='dhcp'
STARTMODE='auto'
ZONE=''
`;
export const SUSE_IFCFG_STATIC = `BOOTPROTO='static'
STARTMODE='auto'
ZONE=''
IPADDR='192.168.1.10/24'
`;

/** Ubuntu 22.04 cloud image, written by cloud-init. */
export const UBUNTU_NETPLAN_CLOUD_INIT = `# This file is generated from information provided by the datasource.  Changes
# to it will not persist across an instance reboot.  To disable cloud-init's
# network configuration capabilities, write a file
# /etc/cloud/cloud.cfg.d/99-disable-network-config.cfg with the following:
# network: {config: disabled}
network:
    ethernets:
        eth0:
            dhcp4: true
            match:
                macaddress: 00:16:3e:12:34:56
            set-name: eth0
    version: 2
`;

/** Ubuntu 22.04 server installer (subiquity) with a static address. */
export const UBUNTU_NETPLAN_SUBIQUITY_STATIC = `# This is the network config written by 'subiquity'
network:
  ethernets:
    ens33:
      addresses:
      - 192.168.1.50/24
      nameservers:
        addresses:
        - 8.8.8.8
        search: []
      routes:
      - to: default
        via: 192.168.1.1
  version: 2
`;

/** Debian installer, static. */
export const DEBIAN_INTERFACES_STATIC = `# This file describes the network interfaces available on your system
# and how to activate them. For more information, see interfaces(5).

source /etc/network/interfaces.d/*

# The loopback network interface
auto lo
iface lo inet loopback

# The primary network interface
allow-hotplug ens3
iface ens3 inet static
	address 192.168.1.20/24
	gateway 192.168.1.1
	# dns-* options are implemented by the resolvconf package, if installed
	dns-nameservers 192.168.1.1
	dns-search example.com
`;

/** Debian installer, DHCP. */
export const DEBIAN_INTERFACES_DHCP = `# This file describes the network interfaces available on your system
# and how to activate them. For more information, see interfaces(5).

source /etc/network/interfaces.d/*

# The loopback network interface
auto lo
iface lo inet loopback

# The primary network interface
allow-hotplug eth0
iface eth0 inet dhcp
`;

/** systemd-networkd (Arch wiki's wired DHCP, Debian's networkd setups). */
export const NETWORKD_DHCP = `[Match]
Name=en*

[Network]
DHCP=yes
`;
export const NETWORKD_STATIC = `[Match]
Name=eth0

[Network]
Address=10.1.10.9/24
Gateway=10.1.10.1
DNS=10.1.10.1
`;

export const CLOUD_INIT_DISABLE_NETWORK = 'network: {config: disabled}\n';
