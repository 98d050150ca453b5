// SPDX-License-Identifier: Apache-2.0
// CloudInit over each family's files: the dpkg status / rpm database entry or
// the program, the version from the Python package (Debian's egg-info,
// CentOS 7's python2.7 site-packages), the datasource list, disabled states.
import { describe, it, expect } from 'vitest';
import { cloudInit } from '../../src/rules/linux/cloud-init';
import { linuxCtx, linuxTree } from '../helpers/linux-guest';

const DPKG = (pkgs: [string, string][]) => pkgs.map(([n, v]) => `Package: ${n}\nStatus: install ok installed\nVersion: ${v}\n`).join('\n');
const DEBIAN_DS = 'datasource_list: [ NoCloud, ConfigDrive, OpenNebula, AliYun, Ec2, None ]\n';

describe('CloudInit', () => {
  it('passes on Debian with the version from the egg-info and AliYun in 90_dpkg.cfg', async () => {
    const f = cloudInit.run(await linuxCtx(linuxTree({ family: 'debian12', extra: {
      '/var/lib/dpkg/status': DPKG([['base-files', '12.4'], ['cloud-init', '22.4.2-1+deb12u1']]),
      '/usr/bin/cloud-init': '#!/usr/bin/python3\n',
      '/usr/lib/python3/dist-packages/cloud_init-22.4.2.egg-info/PKG-INFO': 'Version: 22.4.2\n',
      '/etc/cloud/cloud.cfg': 'cloud_init_modules:\n - growpart\n',
      '/etc/cloud/cloud.cfg.d/90_dpkg.cfg': `# to update this file, run dpkg-reconfigure cloud-init\n${DEBIAN_DS}`,
    } })));
    expect(f).toMatchObject({ status: 'pass', value: '22.4.2', riskLevel: null });
    expect(f.evidence[0]).toEqual({ path: '/var/lib/dpkg/status', line: 5, text: 'Package: cloud-init (22.4.2-1+deb12u1), installed' });
    expect(f.evidence).toContainEqual({ path: '/usr/lib/python3/dist-packages/cloud_init-22.4.2.egg-info', text: 'cloud-init\'s Python package, version 22.4.2' });
    expect(f.evidence.at(-1)).toMatchObject({ path: '/etc/cloud/cloud.cfg.d/90_dpkg.cfg', line: 2 });
  });

  it('passes on CentOS 7 from the program and python2.7 version.py, with the built-in datasource list', async () => {
    const f = cloudInit.run(await linuxCtx(linuxTree({ family: 'centos7', extra: {
      '/usr/bin/cloud-init': '#!/usr/bin/python\n',
      '/usr/lib/python2.7/site-packages/cloudinit/version.py': '__VERSION__ = "19.4"\n',
    } })));
    expect(f).toMatchObject({ status: 'pass', value: '19.4' });
    expect(f.evidence.at(-1)!.text).toMatch(/built-in list, which includes AliYun/);
  });

  it('fails NotInstalled with the family\'s install command', async () => {
    const deb = cloudInit.run(await linuxCtx(linuxTree({ family: 'debian12', extra: { '/var/lib/dpkg/status': DPKG([['base-files', '12.4']]) } })));
    expect(deb).toMatchObject({ status: 'fail', value: 'NotInstalled', riskLevel: 'Medium', riskCode: 'CloudInit.NotInstalled' });
    expect(deb.solution).toMatch(/apt-get install -y cloud-init cloud-guest-utils/);
    expect(deb.evidence[0].text).toMatch(/no cloud-init package in the dpkg database/);
    const rh = cloudInit.run(await linuxCtx(linuxTree({ family: 'centos7' })));
    expect(rh.solution).toMatch(/yum install -y cloud-init cloud-utils-growpart/);
    const suse = cloudInit.run(await linuxCtx(linuxTree({ family: 'sles15' })));
    expect(suse.solution).toMatch(/zypper --non-interactive install cloud-init growpart/);
  });

  it('warns NoAliYunDatasource when a later file narrows the list (block-style YAML)', async () => {
    const f = cloudInit.run(await linuxCtx(linuxTree({ family: 'ubuntu22', extra: {
      '/usr/bin/cloud-init': 'x',
      '/etc/cloud/cloud.cfg.d/90_dpkg.cfg': DEBIAN_DS,
      '/etc/cloud/cloud.cfg.d/99_local.cfg': '# local\ndatasource_list:\n  - NoCloud\n  - None\n',
    } })));
    expect(f).toMatchObject({ status: 'warn', riskCode: 'CloudInit.NoAliYunDatasource', value: 'Installed' });
    expect(f.evidence.at(-1)).toEqual({ path: '/etc/cloud/cloud.cfg.d/99_local.cfg', line: 2, text: 'datasource_list: [ NoCloud, None ]' });
  });

  it('warns Disabled for /etc/cloud/cloud-init.disabled and cloud-init=disabled on the command line', async () => {
    const a = cloudInit.run(await linuxCtx(linuxTree({ family: 'debian12', extra: { '/usr/bin/cloud-init': 'x', '/etc/cloud/cloud-init.disabled': '' } })));
    expect(a).toMatchObject({ status: 'warn', riskCode: 'CloudInit.Disabled' });
    expect(a.solution).toBe('cloud-init is disabled: rm -f /etc/cloud/cloud-init.disabled');
    const b = cloudInit.run(await linuxCtx(linuxTree({ family: 'debian12', cmdline: 'quiet cloud-init=disabled', extra: { '/usr/bin/cloud-init': 'x' } })));
    expect(b.evidence.at(-1)).toEqual({ path: 'kernel command line', text: 'cloud-init=disabled' });
  });

  it('warns VersionTooOld before 0.7.9 (no AliYun data source)', async () => {
    const f = cloudInit.run(await linuxCtx(linuxTree({ family: 'centos7', extra: {
      '/usr/bin/cloud-init': 'x', '/usr/lib/python2.7/site-packages/cloud_init-0.7.5-py2.7.egg-info/PKG-INFO': '',
    } })));
    expect(f).toMatchObject({ status: 'warn', value: '0.7.5', riskCode: 'CloudInit.VersionTooOld' });
  });
});
