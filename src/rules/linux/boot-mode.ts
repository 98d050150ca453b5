// SPDX-License-Identifier: Apache-2.0
import type { Rule, RuleContext } from '../rule';
import { finding } from '../rule';
import type { Evidence, VolumeInfo } from '../../report/types';
import { inspectEsp, type EspInfo } from '../../facts/esp';
import { familyOf, toolsFor } from '../../facts/family';

const ESP_GUID = 'c12a7328-f81f-11d2-ba4b-00a0c93ec93b';
const BIOS_BOOT_GUID = '21686148-6449-6e6f-744e-656564454649';

function isEsp(v: VolumeInfo): boolean {
  return v.type.toLowerCase() === ESP_GUID || v.type.toLowerCase() === '0xef';
}

/** The ESP's loaders: through the guest tree when fstab mounts it, else through the volume itself. */
function espContents(ctx: RuleContext, esp: VolumeInfo): { info: EspInfo; how: string } | null {
  if (esp.mountedAt) {
    const info = inspectEsp(ctx.guest!);
    if (info.mount) return { info, how: `mounted at ${esp.mountedAt}` };
  }
  const view = ctx.volumeView?.(esp.id) ?? null;
  if (view === null) return null;
  const info = inspectEsp(view, ['']);
  info.loaders = info.loaders.map((l) => `volume ${esp.id}:${l}`);
  return { info, how: 'read from the volume (the guest does not mount it)' };
}

/**
 * BootMode (CHECKS.md): UEFI when an ESP holds a UEFI loader; LEGACY when
 * sector 0 carries boot code and, on GPT, a BIOS boot partition holds GRUB's
 * core image; "UEFI-Preferred" (ECS's name for an image that boots both ways)
 * when both hold. Neither means no firmware ECS offers can start it.
 */
export const bootMode: Rule = {
  name: 'BootMode',
  platforms: ['Linux'],
  run(ctx) {
    const img = ctx.image;
    const ev: Evidence[] = [];
    let uefi = false, legacy = false;
    const notes: string[] = [];
    const esp = img.volumes.find(isEsp);
    if (esp) {
      const c = espContents(ctx, esp);
      if (c === null) {
        notes.push(`ESP ${esp.id} could not be read${esp.error ? `: ${esp.error}` : ''}`);
        ev.push({ path: `volume ${esp.id}`, text: `EFI system partition (${esp.fs || 'no readable filesystem'}); its loaders could not be checked` });
      } else if (c.info.loaders.length) {
        uefi = true;
        ev.push({ path: `volume ${esp.id}`, text: `EFI system partition, ${c.how}` });
        for (const l of c.info.loaders) ev.push({ path: l, text: 'UEFI loader' });
      } else {
        notes.push(`ESP ${esp.id} holds no UEFI loader (EFI/BOOT/BOOTX64.EFI, EFI/<distro>/shimx64.efi or grubx64.efi)`);
        ev.push({ path: `volume ${esp.id}`, text: `EFI system partition ${c.how}, but without a UEFI loader` });
      }
    } else if (img.partitionTable !== 'none') ev.push({ path: 'partition table', text: 'no EFI system partition' });

    const biosBoot = img.volumes.find((v) => v.type.toLowerCase() === BIOS_BOOT_GUID);
    const code = img.hasBootCode === true ? (img.bootCode || 'unrecognised') : '';
    if (img.partitionTable === 'mbr') {
      if (code) { legacy = true; ev.push({ path: 'MBR', text: `boot code present (${code})` }); }
      else ev.push({ path: 'MBR', text: 'boot code area is empty' });
    } else if (img.partitionTable === 'gpt') {
      if (code && (biosBoot || code === 'SYSLINUX')) {
        legacy = true;
        ev.push({ path: 'protective MBR', text: `boot code present (${code})` });
        if (biosBoot) ev.push({ path: `volume ${biosBoot.id}`, text: 'BIOS boot partition' });
      } else if (code) {
        notes.push('the protective MBR has GRUB boot code but there is no BIOS boot partition for its core image');
        ev.push({ path: 'protective MBR', text: `boot code present (${code}), but no BIOS boot partition` });
      } else {
        ev.push({ path: 'protective MBR', text: `boot code area is empty${biosBoot ? `; BIOS boot partition ${biosBoot.id} is unused` : ''}` });
      }
    } else {
      ev.push({ path: 'disk', text: 'a filesystem without a partition table: no boot code and no ESP' });
    }
    if (uefi && legacy) return finding('BootMode', 'pass', 'UEFI-Preferred', ev);
    if (uefi) return finding('BootMode', 'pass', 'UEFI', ev);
    if (legacy) return finding('BootMode', 'pass', 'LEGACY', ev);
    const t = toolsFor(familyOf(ctx.os));
    const bios = `${t.grubInstall} --target=i386-pc /dev/vda`;
    return finding('BootMode', 'fail', 'Unknown', ev, {
      riskLevel: 'High', riskCode: img.partitionTable === 'none' ? 'BootMode.NoPartitionTable' : 'BootMode.NoBootLoader',
      solution: `Neither BIOS nor UEFI can start this disk: ${notes.length ? notes.join('; ') : 'no boot code in sector 0 and no UEFI loader'}. ` +
        `Install GRUB for BIOS inside the guest (${bios}; the disk is /dev/sda under virt-customize) or for UEFI on an ESP mounted at /boot/efi (${t.grubInstall} --target=x86_64-efi --efi-directory=/boot/efi).`,
    });
  },
};
