// SPDX-License-Identifier: Apache-2.0
// GRUB 2 default entry resolution and BLS, over configurations in the shapes
// grub-mkconfig and RHEL's blscfg write.
import { describe, it, expect } from 'vitest';
import { fakeGuest } from '../helpers/fake-guest';
import { grubWords, parseGrubCfg, resolveDefault } from '../../src/facts/grub';
import { defaultBootEntry } from '../../src/facts/boot-entries';
import { kernelVersion } from '../../src/rules/linux/kernel-version';
import type { ImageInfo } from '../../src/report/types';

const CFG = `set default="0"
if [ "\${next_entry}" ] ; then
   set default="\${next_entry}"
   set next_entry=
fi
menuentry 'Debian GNU/Linux' --class debian $menuentry_id_option 'gnulinux-simple-u' {
	linux	/boot/vmlinuz-6.1.0-27-amd64 root=UUID=u ro  quiet
	initrd	/boot/initrd.img-6.1.0-27-amd64
}
submenu 'Advanced options for Debian GNU/Linux' $menuentry_id_option 'gnulinux-advanced-u' {
	menuentry 'Debian GNU/Linux, with Linux 6.1.0-27-amd64' $menuentry_id_option 'gnulinux-6.1.0-27-amd64-advanced-u' {
		linux	/boot/vmlinuz-6.1.0-27-amd64 root=UUID=u ro  quiet
	}
	menuentry 'Debian GNU/Linux, with Linux 6.1.0-9-amd64' $menuentry_id_option 'gnulinux-6.1.0-9-amd64-advanced-u' {
		linux	/boot/vmlinuz-6.1.0-9-amd64 root=UUID=u ro  quiet
		initrd	/boot/initrd.img-6.1.0-9-amd64
	}
}
`;

describe('grub.cfg', () => {
  it('splits words with GRUB quoting', () => {
    expect(grubWords(`menuentry 'A b' "c \\"d\\"" e\\ f # comment`)).toEqual(['menuentry', 'A b', 'c "d"', 'e f']);
  });

  it('numbers entries the way default= counts them, submenus included', () => {
    const cfg = parseGrubCfg(CFG);
    expect(cfg.entries.map((e) => e.path)).toEqual(['0', '1>0', '1>1']);
    expect(cfg.defaultValue).toBe('0'); // ${next_entry} is ignored
    expect(resolveDefault(cfg, '1>1')?.kernel).toBe('/boot/vmlinuz-6.1.0-9-amd64');
    expect(resolveDefault(cfg, 'gnulinux-6.1.0-9-amd64-advanced-u')?.path).toBe('1>1');
    expect(resolveDefault(cfg, 'Advanced options for Debian GNU/Linux>Debian GNU/Linux, with Linux 6.1.0-9-amd64')?.path).toBe('1>1');
    expect(cfg.entries[0].cmdline).toBe('root=UUID=u ro quiet');
  });

  it('follows set default=saved to grubenv\'s saved_entry', () => {
    const g = fakeGuest({
      '/boot/grub/grub.cfg': CFG.replace('set default="0"', 'set default="${saved_entry}"'),
      '/boot/grub/grubenv': '# GRUB Environment Block\nsaved_entry=gnulinux-6.1.0-9-amd64-advanced-u\n' + '#'.repeat(900),
      '/boot/vmlinuz-6.1.0-9-amd64': 'k',
    });
    const e = defaultBootEntry(g)!;
    expect(e).toMatchObject({ source: 'grub2', version: '6.1.0-9-amd64', kernel: '/boot/vmlinuz-6.1.0-9-amd64', kernelExists: true });
    expect(e.evidence.map((x) => x.path)).toEqual(['/boot/grub/grub.cfg', '/boot/grub/grubenv', '/boot/grub/grub.cfg']);
  });

  it('reads BLS entries when grub.cfg calls blscfg, newest first unless saved_entry says otherwise', () => {
    const tree = {
      '/boot/grub2/grub.cfg': 'set default="${saved_entry}"\nload_env\nblscfg\n',
      '/boot/loader/entries/abc-5.14.0-70.el9.x86_64.conf': 'title Rocky Linux (5.14.0-70.el9.x86_64)\nversion 5.14.0-70.el9.x86_64\nlinux /vmlinuz-5.14.0-70.el9.x86_64\ninitrd /initramfs-5.14.0-70.el9.x86_64.img\noptions $kernelopts\n',
      '/boot/loader/entries/abc-5.14.0-362.el9.x86_64.conf': 'title Rocky Linux (5.14.0-362.el9.x86_64)\nversion 5.14.0-362.el9.x86_64\nlinux /vmlinuz-5.14.0-362.el9.x86_64\noptions root=/dev/mapper/rl-root ro\n',
      '/boot/vmlinuz-5.14.0-362.el9.x86_64': 'k',
      '/boot/vmlinuz-5.14.0-70.el9.x86_64': 'k',
    };
    expect(defaultBootEntry(fakeGuest(tree))).toMatchObject({ source: 'bls', version: '5.14.0-362.el9.x86_64', kernelExists: true, cmdline: 'root=/dev/mapper/rl-root ro' });
    const saved = defaultBootEntry(fakeGuest({ ...tree, '/boot/grub2/grubenv': 'saved_entry=abc-5.14.0-70.el9.x86_64\nkernelopts=root=UUID=x ro\n' }))!;
    expect(saved).toMatchObject({ version: '5.14.0-70.el9.x86_64', cmdline: 'root=UUID=x ro', initrds: ['/initramfs-5.14.0-70.el9.x86_64.img'] });
  });

  it('fails KernelVersion when the default entry\'s kernel is missing', () => {
    const image = { files: [], format: 'raw', virtualSize: 0, partitionTable: 'gpt', notes: [], volumes: [] } as ImageInfo;
    const guest = fakeGuest({ '/boot/grub/grub.cfg': CFG, '/boot/vmlinuz-6.1.0-9-amd64': 'k' });
    const f = kernelVersion.run({ image, platform: 'Linux', guest, rootReason: '', os: null });
    expect(f).toMatchObject({ status: 'fail', value: '6.1.0-27-amd64', riskCode: 'KernelVersion.KernelMissing', riskLevel: 'High' });
  });
});
