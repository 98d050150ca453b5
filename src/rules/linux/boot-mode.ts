// SPDX-License-Identifier: Apache-2.0
import type { Rule, RuleContext } from '../rule';
import { finding } from '../rule';
import type { Evidence, Message, VolumeInfo } from '../../report/types';
import { inspectEsp, type EspInfo } from '../../facts/esp';
import { familyOf, toolsFor } from '../../facts/family';
import { msg, said } from '../../report/message';

const ESP_GUID = 'c12a7328-f81f-11d2-ba4b-00a0c93ec93b';
const BIOS_BOOT_GUID = '21686148-6449-6e6f-744e-656564454649';

function isEsp(v: VolumeInfo): boolean {
  return v.type.toLowerCase() === ESP_GUID || v.type.toLowerCase() === '0xef';
}

/** The ESP's loaders: through the guest tree when fstab mounts it, else through the volume itself. */
function espContents(ctx: RuleContext, esp: VolumeInfo): { info: EspInfo; how: Message } | null {
  if (esp.mountedAt) {
    const info = inspectEsp(ctx.guest!);
    if (info.mount) return { info, how: msg('ev.BootMode.mountedAt', { mount: esp.mountedAt }) };
  }
  const view = ctx.volumeView?.(esp.id) ?? null;
  if (view === null) return null;
  const info = inspectEsp(view, ['']);
  info.loaders = info.loaders.map((l) => `volume ${esp.id}:${l}`);
  return { info, how: msg('ev.BootMode.readFromVolume') };
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
    const notes: Message[] = [];
    const esp = img.volumes.find(isEsp);
    if (esp) {
      const c = espContents(ctx, esp);
      if (c === null) {
        notes.push(esp.error ? msg('fix.BootMode.espUnreadableWhy', { id: esp.id, error: esp.error }) : msg('fix.BootMode.espUnreadable', { id: esp.id }));
        ev.push(said(`volume ${esp.id}`, 'ev.BootMode.espUnreadable', { fs: esp.fs || msg('ev.BootMode.noReadableFs') }));
      } else if (c.info.loaders.length) {
        uefi = true;
        ev.push(said(`volume ${esp.id}`, 'ev.BootMode.esp', { how: c.how }));
        for (const l of c.info.loaders) ev.push(said(l, 'ev.BootMode.loader'));
      } else {
        notes.push(msg('fix.BootMode.noLoader', { id: esp.id }));
        ev.push(said(`volume ${esp.id}`, 'ev.BootMode.espNoLoader', { how: c.how }));
      }
    } else if (img.partitionTable !== 'none') ev.push(said('partition table', 'ev.BootMode.noEsp'));

    const biosBoot = img.volumes.find((v) => v.type.toLowerCase() === BIOS_BOOT_GUID);
    const code: string | Message = img.hasBootCode === true ? (img.bootCode || msg('ev.BootMode.unrecognised')) : '';
    if (img.partitionTable === 'mbr') {
      if (code) { legacy = true; ev.push(said('MBR', 'ev.BootMode.bootCode', { code })); }
      else ev.push(said('MBR', 'ev.BootMode.bootCodeEmpty'));
    } else if (img.partitionTable === 'gpt') {
      if (code && (biosBoot || code === 'SYSLINUX')) {
        legacy = true;
        ev.push(said('protective MBR', 'ev.BootMode.bootCode', { code }));
        if (biosBoot) ev.push(said(`volume ${biosBoot.id}`, 'ev.BootMode.biosBoot'));
      } else if (code) {
        notes.push(msg('fix.BootMode.noBiosBoot'));
        ev.push(said('protective MBR', 'ev.BootMode.bootCodeNoBiosBoot', { code }));
      } else {
        ev.push(biosBoot ? said('protective MBR', 'ev.BootMode.bootCodeEmptyBiosBoot', { id: biosBoot.id }) : said('protective MBR', 'ev.BootMode.bootCodeEmpty'));
      }
    } else {
      ev.push(said('disk', 'ev.BootMode.noTable'));
    }
    if (uefi && legacy) return finding('BootMode', 'pass', 'UEFI-Preferred', ev);
    if (uefi) return finding('BootMode', 'pass', 'UEFI', ev);
    if (legacy) return finding('BootMode', 'pass', 'LEGACY', ev);
    const t = toolsFor(familyOf(ctx.os));
    const bios = `${t.grubInstall} --target=i386-pc /dev/vda`;
    return finding('BootMode', 'fail', 'Unknown', ev, {
      riskLevel: 'High', riskCode: img.partitionTable === 'none' ? 'BootMode.NoPartitionTable' : 'BootMode.NoBootLoader',
      solution: msg('fix.BootMode.none', { why: notes.length ? notes : msg('fix.BootMode.nothing'), bios, uefi: `${t.grubInstall} --target=x86_64-efi --efi-directory=/boot/efi` }),
    });
  },
};
