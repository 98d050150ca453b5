// SPDX-License-Identifier: Apache-2.0
// What an engine error means for the person, by its code: the code itself, its
// family ("xfs.inode") or its format ("xfs"); errorKey() takes the most
// specific entry there is. The engine's own detail (structure, offset) follows
// it as given. test/ui/error-catalog.test.ts checks that every code the engine
// can emit has an entry here.
export const errorsEn: Record<string, string> = {
  'err.explained': '{what} Detail: {detail} ({code})',
  'err.unknown': 'The image could not be read.',

  'err.image': 'The file could not be opened as a disk image.',
  'err.io': 'Reading the file failed or returned fewer bytes than it should: the file may be truncated, or still being copied.',
  'err.container': 'The files given do not form one disk image.',
  'err.container.several-images': 'These files are separate disk images, not parts of one disk.',
  'err.container.chain': 'A backing file or parent the image refers to is missing or does not match: give it together with the image.',
  'err.compressed': 'The image is compressed in a way this build cannot read: decompress it first.',
  'err.gzip': 'The gzip file is damaged or truncated: check the download, or decompress it with gzip -t to see where.',
  'err.inflate': 'The compressed data is damaged or truncated.',
  'err.xz': 'The xz file uses a feature this build cannot read, or is damaged: decompress it with xz -d first.',
  'err.zstd': 'The zstd data is damaged, truncated or uses a feature this build cannot read: decompress it with zstd -d first.',
  'err.lzo': 'The LZO-compressed data is damaged or of a version this build cannot read.',
  'err.zran': 'The compressed file changed or could not be indexed while it was read: check it again from the start.',
  'err.zip': 'The zip archive is damaged or holds its disk in a form this build cannot read: unzip it first and check the image itself.',
  'err.ova': 'The OVA archive holds no disk image this build can check.',
  'err.tar': 'The tar (OVA) archive is damaged or truncated.',
  'err.qcow2': 'The qcow2 image is damaged or uses a feature this build cannot read (check it with qemu-img check).',
  'err.qcow2.encrypted': 'The qcow2 image is encrypted: decrypt it with qemu-img convert before checking and importing it.',
  'err.vhd': 'The VHD file is damaged or of a kind this build cannot read.',
  'err.vhdx': 'The VHDX file is damaged or uses a feature this build cannot read.',
  'err.vmdk': 'The VMDK is damaged, or its descriptor names extents that were not given: give all its files together.',
  'err.vdi': 'The VDI file is damaged or of a kind this build cannot read.',
  'err.gpt': 'The GPT partition table is damaged: repair it (sgdisk --verify, gdisk) before importing.',
  'err.mbr': 'The MBR partition table is damaged.',
  'err.volume': 'A partition could not be read as a filesystem.',
  'err.lvm': 'The LVM metadata is damaged or uses a layout this build cannot read.',
  'err.guest': 'No operating system was found in the image.',
  'err.path': 'A path inside the guest could not be followed.',
  'err.ext4': 'The ext2/3/4 filesystem is damaged or uses a feature this build cannot read (e2fsck -n shows what is wrong).',
  'err.ext4.encrypted': 'The file is encrypted (ext4 fscrypt) and cannot be read without its key.',
  'err.xfs': 'The XFS filesystem is damaged or uses a feature this build cannot read (xfs_repair -n shows what is wrong).',
  'err.btrfs': 'The Btrfs filesystem is damaged or uses a feature this build cannot read (btrfs check --readonly shows what is wrong).',
  'err.fat': 'The FAT filesystem is damaged (fsck.vfat -n shows what is wrong).',
  'err.ntfs': 'The NTFS filesystem is damaged or uses a feature this build cannot read (chkdsk on Windows repairs it).',
  'err.ntfs.encrypted': 'The file is encrypted (NTFS EFS) and cannot be read.',
  'err.hive': 'A registry hive is damaged: shut Windows down cleanly before export, or restore the hive from RegBack.',
  'err.hive.log': 'A registry transaction log is damaged, so the hive\'s last changes could not be applied.',
  'err.initramfs': 'The initramfs could not be read.',
};
