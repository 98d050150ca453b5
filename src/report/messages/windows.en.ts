// SPDX-License-Identifier: Apache-2.0
// What the Windows check items say: fixes (fix.win.*) and evidence (ev.win.*).
// Registry values and commands are the guest's own text and stay out of here.
export const windowsEn: Record<string, string> = {
  'ev.win.onNoVolume': 'on no volume of the image',
  'ev.win.bytes': '{size} bytes',
  'ev.win.installed': 'installed',
  'ev.win.valueAbsent': '{name} = absent',
  'ev.win.keyAbsent': 'the key is absent',
  'ev.win.softwareAbsent': 'the SOFTWARE hive is absent',
  // the engine-side sentences of src/facts/windows (matched by their English text)
  'ev.win.selectUnreadable': 'SYSTEM\\Select unreadable',
  'ev.win.selectAbsent': 'SYSTEM\\Select\\Current absent; ControlSet001 used',
  'fix.win.noControlSet': 'The current control set could not be read; see the Registry item.',

  'fix.win.Platform.noHives': 'The Windows volume lacks its registry hives; check that this is the system disk of the Windows guest.',

  'fix.win.OSVersion.unknown': 'The Windows release could not be read from the SOFTWARE hive; see the Registry item and repair the hive (boot the guest once, or restore it from Windows\\System32\\config\\RegBack).',
  'ev.win.OSVersion.win11': 'build {build} is Windows 11 (ProductName keeps "Windows 10")',
  'fix.win.OSVersion.tooOld': '{family} is older than the releases ECS imports (Windows Server 2008 R2 / Windows 7 and later); upgrade the guest before import.',

  'fix.win.BCD.rebuild': '{why} Rebuild the boot files from the Windows volume.',
  'fix.win.BCD.notFound': 'No BCD store was found on an EFI system partition or a system partition.',
  'ev.win.BCD.notBcd': 'not a BCD store (no Objects key)',
  'fix.win.BCD.corrupt': 'The BCD store is unreadable.',
  'ev.win.BCD.objects': '{count} objects',
  'fix.win.BCD.noBootManager': 'The BCD store has no Windows Boot Manager object {9dea862c-5cdd-4e70-acc1-f32b344d4795}.',
  'ev.win.BCD.noDefault': 'default = (none)',
  'fix.win.BCD.noDefaultEntry': 'The boot manager\'s default entry {entry} does not exist.',
  'ev.win.BCD.none': '(none)',
  'ev.win.BCD.entry': '"{description}" path={path} device={device}',
  'ev.win.BCD.device': '{kind} → {volume}',
  'ev.win.BCD.volume': 'volume {id}',
  'ev.win.BCD.noVolume': 'no volume of this image',
  'fix.win.BCD.badPath': 'The default entry\'s path is {path}, not \\Windows\\system32\\winload.exe (BIOS) or winload.efi (UEFI).',
  'fix.win.BCD.deviceNotFound': 'The default entry boots a partition that is not in this image (its disk signature/GUID and partition do not match any volume).',
  'fix.win.BCD.otherVolume': 'The default entry boots volume {volume}, not the Windows volume {root} that was checked.',

  'fix.win.BootMgr.notFound': 'The Windows Boot Manager is missing: the image will not boot. Recreate it from the Windows volume.',

  'ev.win.CloudAssistant.noService': 'no AliyunService service',
  'fix.win.CloudAssistant.notEnabled': 'Cloud Assistant files are present but the AliyunService service is not registered; reinstall the agent.',
  'ev.win.CloudAssistant.none': 'absent; no Cloud Assistant program files',
  'fix.win.CloudAssistant.notInstalled': 'Without the agent, Cloud Assistant commands cannot run on the instance. Install it in the guest (or let ECS add it on import: repairItems "assist").',

  'ev.win.DesktopConfig.noFolder': 'no Desktop folder',
  'fix.win.DesktopConfig.notFound': 'The guest has no default or public Desktop folder; the user profile template is damaged and new accounts may get a temporary profile.',
  'fix.win.DesktopConfig.missing': 'desktop.ini is missing in {folders}: the folder shows without its localized name and icons. Copy it from another Windows of the same release (it is a hidden system file: attrib +s +h).',

  'ev.win.Disk.present': '{name}: driver present',
  'ev.win.Disk.noService': '{name}: no service key',
  'ev.win.Disk.fileAbsent': '{name}: driver file absent',
  'fix.win.Disk.filterMissing': 'The disk class filter list names {names}, whose driver is gone (left by uninstalled backup/encryption/replication software): Windows fails to boot with INACCESSIBLE_BOOT_DEVICE. Remove the names from {lists}.',
  'fix.win.Disk.bothLists': '{a} and {b}',
  'ev.win.Disk.noFilters': 'no UpperFilters/LowerFilters',

  'fix.win.Hotfix.unreadable': 'The installed packages could not be read from the SOFTWARE hive; see the Registry item.',
  'ev.win.Hotfix.packages': '{count} packages',
  'fix.win.Hotfix.badOne': 'Installed update {kbs} is known to break boot or virtual machines; uninstall, then install its out-of-band replacement.',
  'fix.win.Hotfix.badMany': 'Installed updates {kbs} are known to break boot or virtual machines; uninstall, then install its out-of-band replacement.',
  'ev.win.Hotfix.noSha2': 'no Package_for_KB3033929 (SHA-2 code signing support)',
  'fix.win.Hotfix.sha2': 'Windows Server 2008 R2 needs KB3033929 (SHA-2 code signing support) to load current virtio drivers; install it (and SP1) before import.',

  'ev.win.Registry.notHive': 'not a readable hive: {detail}',
  'ev.win.Registry.sequence': 'sequence {primary}/{secondary}',
  'ev.win.Registry.checksum': 'base block checksum wrong ({seq})',
  'ev.win.Registry.dirtyNoLog': 'dirty ({seq}) and no transaction log to apply',
  'ev.win.Registry.dirtyLogsEmpty': 'dirty ({seq}) and no transaction log to apply (logs {logs} gave nothing)',
  'ev.win.Registry.rootKey': 'the root key is unreadable',
  'ev.win.Registry.logsApplied': 'dirty ({seq}); {count} log entries of {logs} applied in memory',
  'ev.win.Registry.clean': 'clean ({seq}), regf {version}',
  'ev.win.Registry.damaged': 'damaged: {detail}',
  'fix.win.Registry.badOne': 'Registry hive {hives} is missing, damaged or dirty without logs: shut the guest down cleanly (not a crash or forced power-off) before exporting the disk, or restore {regback} copies.',
  'fix.win.Registry.badMany': 'Registry hives {hives} are missing, damaged or dirty without logs: shut the guest down cleanly (not a crash or forced power-off) before exporting the disk, or restore {regback} copies.',

  'fix.win.Server.disabled': 'Driver installation is disabled: on ECS, Windows cannot install the drivers of its new disk and network devices. Allow it again (or remove the group policy "Prevent installation of devices").',
  'ev.win.Server.allowed': 'DeviceInstallDisabled absent; no DeviceInstall restriction policy',

  'fix.win.Sysprep.notCompleted': 'Sysprep did not finish (ImageState {state}): the image will stop in setup or refuse to boot. Boot the source machine, finish or rerun sysprep (see C:\\Windows\\System32\\Sysprep\\Panther\\setuperr.log), shut down, and export again.',
  'fix.win.Sysprep.inProgress': 'Windows setup is marked as in progress (SYSTEM\\Setup SystemSetupInProgress=1) on an image that was not sealed by sysprep: it will loop in setup. Finish setup on the source machine before export.',
  'ev.win.Sysprep.neverRan': 'ImageState absent: sysprep never ran',

  'ev.win.Update.pendingXml': '{size} bytes: servicing actions wait for a reboot',
  'ev.win.Update.rebootRequired': 'present: Windows Update waits for a reboot',
  'fix.win.Update.pending': 'An update or component install was interrupted and finishes on the next boot, which often fails on new hardware. Boot the source machine, let the update complete (restart until no update is pending), then export; or revert the pending actions offline.',
  'fix.win.Update.reboot': 'The guest waits for a reboot to finish an update (or to replace files in use). Restart the source machine once before export.',
  'ev.win.Update.none': 'absent; no pending servicing keys',

  'ev.win.Virtio.staged': 'in the driver store',
  'ev.win.Virtio.presentVersion': 'present, version {version}',
  'fix.win.Virtio.notInstalled': 'The guest has no virtio storage driver (viostor.sys or vioscsi.sys), so it cannot find its system disk on ECS (INACCESSIBLE_BOOT_DEVICE). Install the virtio-win drivers ({url}) in the guest before export.',
  'fix.win.Virtio.notBootStart': '{drivers} is on disk but not started at boot (Services\\{service} Start must be 0): Windows will not find its system disk on ECS.',
  'fix.win.Virtio.notBootStartBoth': '{a} and {b} are on disk but not started at boot (Services\\{service} Start must be 0): Windows will not find its system disk on ECS.',
  'fix.win.Virtio.noNetKvm': 'The virtio storage driver is installed but the network driver netkvm.sys is not: the instance will boot without a network. Install NetKVM from virtio-win.',

  'fix.win.Xen.installed': 'Xen PV drivers ({drivers}) are left in the guest: on ECS they hide or take the disks and the instance fails to boot. Uninstall them (Citrix/XenServer PV tools) or disable the services before export.',
  'ev.win.Xen.none': 'none of {drivers}',

  // the items the "windows" branch owns (architecture.ts, kernel-version.ts) still write English
  // strings; these fixed sentences are matched by their English text (see findingText)
  'fix.win.Architecture.none': 'guestcheck found neither the Windows kernel nor the processor architecture in the registry.',
  'fix.win.Architecture.notSupported': 'ECS runs x86_64, arm64 and i386 Windows images; this one is for another processor.',
  'ev.win.Architecture.notPe': 'not a PE image',
  'ev.win.Architecture.none': 'absent or unreadable, and no PROCESSOR_ARCHITECTURE',
  'fix.win.KernelVersion.unreadable': 'guestcheck could not read the kernel build from the SOFTWARE hive; see the Registry item.',
  'ev.win.KernelVersion.unreadable': 'CurrentBuild unreadable',
  'fix.win.KernelVersion.neither': 'guestcheck could read the kernel version neither from ntoskrnl.exe\'s version resource nor from the SOFTWARE hive; see the Registry item.',
  'ev.win.KernelVersion.noResource': 'no version resource (RT_VERSION)',
  'ev.win.KernelVersion.noFileVersion': 'no file version in the version resource{rest}',
  'ev.win.KernelVersion.resourceUnreadable': 'version resource unreadable: {code}: {detail}',
  'ev.win.KernelVersion.notPe': 'not a readable PE image: {code}: {detail}',
  'ev.win.KernelVersion.agrees': '{base}, agrees with ntoskrnl.exe',
  'ev.win.KernelVersion.disagrees': '{base}, DISAGREES with ntoskrnl.exe\'s {file} (the kernel file and the registry come from different updates, or one was replaced)',
  'ev.win.KernelVersion.registryUsed': '{base} (used: the kernel file gave no version)',
  'ev.win.Architecture.agrees': '{value}, agrees with the kernel',
  'ev.win.Architecture.disagrees': '{value}, DISAGREES with the kernel\'s {arch}',
  'value.unknownOf': 'unknown ({what})',
};
