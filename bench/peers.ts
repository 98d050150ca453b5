// SPDX-License-Identifier: Apache-2.0
// The tools people use today, on the same image, doing the nearest thing to
// what guestcheck does: 7zz and the 7z-wasm package listing the filesystems
// and extracting the files the check read (each partition handed over as a
// sparse file: 7-Zip cannot open a partition at an offset), sleuthkit
// fls/icat on the raw image, qemu-img on each container (info + check, and a
// full convert to raw: what one does before any raw-only tool), and
// libguestfs virt-inspector once (it boots an appliance). Each is timed the
// same way (median of runs, wall clock around the process or call) and
// reported as a ratio to guestcheck's Node time.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { GuestLog } from './node-run';
import { has } from './cases';

export interface VolumeBrief { id: string; start: number; size: number; fs: string; mountedAt: string }

export interface PeerRow {
  peer: string;
  image: string;
  what: string;
  ms: number | null;
  /** peer time / guestcheck's Node time; > 1 = guestcheck is faster */
  vsGuestcheck: number | null;
  /** CPU time (user + system) of the peer's processes, and its ratio to guestcheck's Node CPU time */
  cpuMs?: number | null;
  vsGuestcheckCpu?: number | null;
  note?: string;
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/**
 * Runs a command under sh and takes its children's CPU time from the shell's
 * `times` (user + system of everything the command ran), with the wall time.
 */
export function spawnTimed(cmd: string, args: string[], opts: { timeoutMs?: number; env?: NodeJS.ProcessEnv; stdout?: boolean } = {}) {
  const t = performance.now();
  const r = spawnSync('sh', ['-c', '"$@"; s=$?; times >&2; exit $s', 'sh', cmd, ...args], {
    stdio: ['ignore', opts.stdout ? 'pipe' : 'ignore', 'pipe'], timeout: opts.timeoutMs, maxBuffer: 256 << 20, env: opts.env ?? process.env, encoding: 'utf8',
  });
  const ms = performance.now() - t;
  const lines = String(r.stderr ?? '').trimEnd().split('\n');
  const m = /^(\d+)m([\d.]+)s (\d+)m([\d.]+)s$/.exec(lines[lines.length - 1] ?? '');
  const cpuMs = m ? (Number(m[1]) * 60 + Number(m[2]) + Number(m[3]) * 60 + Number(m[4])) * 1000 : NaN;
  return { ms, cpuMs, status: r.status, stdout: String(r.stdout ?? ''), stderr: lines.slice(0, -2).join('\n'), error: r.error };
}

function timeCmd(cmd: string, args: string[], runs: number, opts: { timeoutMs?: number } = {}): { ms: number | null; cpuMs: number | null; status: number | null; err: string } {
  const times: number[] = [], cpu: number[] = [];
  let status: number | null = null, err = '';
  for (let i = 0; i < runs; i++) {
    const r = spawnTimed(cmd, args, opts);
    status = r.status;
    err = r.stderr.slice(-400);
    if (r.status !== 0 && r.status !== 1) return { ms: null, cpuMs: null, status, err: r.error ? String(r.error) : err };
    times.push(r.ms);
    cpu.push(r.cpuMs);
  }
  return { ms: median(times), cpuMs: median(cpu), status, err };
}

const ratio = (a: number | null | undefined, b: number, digits = 2) => (a == null || !Number.isFinite(a) ? null : +(a / b).toFixed(digits));

/** The files the check read, per volume, as paths inside that volume (no leading slash). */
export function filesRead(log: GuestLog, volumes: VolumeBrief[]): Map<number, string[]> {
  const byVol = new Map<number, Set<string>>();
  const resolved = new Map<string, [string, string]>();
  for (const [vol, asked, path, mount] of log.paths) resolved.set(vol + '\0' + asked, [path, mount]);
  const add = (vol: number, asked: string) => {
    const r = resolved.get(vol + '\0' + asked);
    if (!r) return;
    const [path, mount] = r;
    // the guest root view (-1): which volume is mounted there
    const v = vol >= 0 ? vol : volumes.findIndex((x) => x.mountedAt === mount);
    if (v < 0) return;
    const base = vol >= 0 ? '/' : mount;
    const inner = path.slice(base === '/' ? 1 : base.length + 1);
    if (!byVol.has(v)) byVol.set(v, new Set());
    byVol.get(v)!.add(inner);
  };
  for (const [vol, path] of log.reads) add(vol, path);
  for (const [vol, path] of log.hives) add(vol, path);
  return new Map([...byVol].map(([v, s]) => [v, [...s].sort()]));
}

export class Peers {
  readonly found: Record<string, boolean>;
  private readonly parts: string;

  constructor(readonly root: string, cache: string, readonly runs: number) {
    this.parts = join(cache, 'partitions');
    mkdirSync(this.parts, { recursive: true });
    this.found = {
      '7zz': has('7zz', 'i'),
      'fls/icat (sleuthkit)': has('fls', '-V') && has('icat', '-V'),
      'qemu-img': has('qemu-img'),
      'virt-inspector (libguestfs)': has('virt-inspector', '--version'),
      '7z-wasm (npm)': existsSync(join(root, 'node_modules/7z-wasm/7zz.es6.js')),
      python3: has('python3'),
    };
  }

  /** A partition of a sparse raw image as its own sparse file (cached), for 7-Zip. */
  private partition(raw: string, tag: string, v: VolumeBrief): string | null {
    const out = join(this.parts, `${tag}-${v.id}.img`);
    if (existsSync(out)) return out;
    if (!this.found.python3) return null;
    const r = spawnSync('python3', [join(this.root, 'bench/sparse-copy.py'), raw, String(v.start), String(v.size), out], { stdio: 'inherit' });
    return r.status === 0 ? out : null;
  }

  /** 7zz (native) and 7z-wasm: list each filesystem the check read from, and extract the same files. */
  async sevenZip(raw: string, tag: string, volumes: VolumeBrief[], files: Map<number, string[]>, gcMs: number, gcCpu: number): Promise<PeerRow[]> {
    const rows: PeerRow[] = [];
    const targets = [...files].map(([v, list]) => ({ v: volumes[v], list, part: this.partition(raw, tag, volumes[v]) }));
    if (targets.some((t) => t.part === null)) return [{ peer: '7zz', image: tag, what: 'partition files', ms: null, vsGuestcheck: null, note: 'python3 missing: no partition files' }];
    const n = targets.reduce((a, t) => a + t.list.length, 0);
    const what = `list ${targets.map((t) => t.v.fs).join('+')} and extract the ${n} files the check read`;
    const dir = mkdtempSync(join(tmpdir(), 'gc-bench-7z-'));
    try {
      if (this.found['7zz']) {
        const lists = targets.map((t, i) => { const f = join(dir, `list${i}.txt`); writeFileSync(f, t.list.join('\n') + '\n'); return f; });
        const times: number[] = [], listTimes: number[] = [], cpus: number[] = [], listCpus: number[] = [];
        let failed = '';
        for (let r = 0; r < this.runs; r++) {
          let total = 0, list = 0, cpu = 0, listCpu = 0;
          for (let i = 0; i < targets.length; i++) {
            const l = spawnTimed('7zz', ['l', targets[i].part!]);
            list += l.ms;
            listCpu += l.cpuMs;
            const x = spawnTimed('7zz', ['x', targets[i].part!, `-o${join(dir, 'out' + i)}`, '-y', '-bd', `@${lists[i]}`]);
            total += x.ms;
            cpu += x.cpuMs;
            if ((l.status ?? 9) > 1 || (x.status ?? 9) > 1) failed = x.stderr.slice(-300);
          }
          times.push(total + list);
          cpus.push(cpu + listCpu);
          listTimes.push(list);
          listCpus.push(listCpu);
        }
        rows.push({ peer: '7zz', image: tag, what: 'list the filesystems', ms: median(listTimes), vsGuestcheck: ratio(median(listTimes), gcMs), cpuMs: median(listCpus), vsGuestcheckCpu: ratio(median(listCpus), gcCpu) });
        rows.push({ peer: '7zz', image: tag, what, ms: median(times), vsGuestcheck: ratio(median(times), gcMs), cpuMs: median(cpus), vsGuestcheckCpu: ratio(median(cpus), gcCpu), ...(failed ? { note: failed } : {}) });
      }
      if (this.found['7z-wasm (npm)']) {
        const times: number[] = [], cpus: number[] = [];
        let note = '';
        for (let r = 0; r < this.runs; r++) {
          // a fresh module per run, as a page would instantiate it
          const t = performance.now();
          const c = process.cpuUsage();
          const SevenZip = (await import(join(this.root, 'node_modules/7z-wasm/7zz.es6.js'))).default;
          const err: string[] = [];
          const s = await SevenZip({ print: () => {}, printErr: (x: string) => err.push(x) });
          for (let i = 0; i < targets.length; i++) {
            const mnt = `/in${i}`, out = `/out${i}`;
            s.FS.mkdir(mnt);
            s.FS.mount(s.NODEFS, { root: this.parts }, mnt);
            s.FS.mkdir(out);
            const name = `${mnt}/${targets[i].part!.slice(this.parts.length + 1)}`;
            try { s.callMain(['l', name]); } catch (e) { note = `7z-wasm list threw ${e}`; }
            try { s.callMain(['x', name, `-o${out}`, '-y', '-bd', ...targets[i].list]); } catch (e) { note = `7z-wasm extract threw ${e}`; }
          }
          times.push(performance.now() - t);
          const cu = process.cpuUsage(c);
          cpus.push((cu.user + cu.system) / 1000);
          if (err.some((l) => /ERROR/.test(l))) note = err.filter((l) => l.trim()).slice(-3).join(' ');
        }
        rows.push({ peer: '7z-wasm', image: tag, what, ms: median(times), vsGuestcheck: ratio(median(times), gcMs), cpuMs: median(cpus), vsGuestcheckCpu: ratio(median(cpus), gcCpu), ...(note ? { note } : {}) });
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    return rows;
  }

  /** sleuthkit on the raw image: fls -r -p of each filesystem, then icat of every file the check read. */
  sleuthkit(raw: string, tag: string, volumes: VolumeBrief[], files: Map<number, string[]>, gcMs: number, gcCpu: number): PeerRow[] {
    if (!this.found['fls/icat (sleuthkit)']) return [];
    const times: number[] = [], cpus: number[] = [];
    let missing = 0, n = 0;
    for (let r = 0; r < this.runs; r++) {
      let total = 0, cpu = 0;
      missing = 0; n = 0;
      for (const [v, list] of files) {
        const off = String(Math.floor(volumes[v].start / 512));
        const f = spawnTimed('fls', ['-r', '-p', '-o', off, raw], { stdout: true });
        total += f.ms;
        cpu += f.cpuMs;
        const inode = new Map<string, string>();
        for (const line of (f.stdout ?? '').split('\n')) {
          const m = /^\S+\s+\*?\s*([\d-]+)(?:\(realloc\))?:\t(.*)$/.exec(line);
          if (m && !inode.has(m[2])) inode.set(m[2], m[1]);
        }
        for (const p of list) {
          n++;
          const ino = inode.get(p);
          if (!ino) { missing++; continue; }
          const c = spawnTimed('icat', ['-o', off, raw, ino]);
          total += c.ms;
          cpu += c.cpuMs;
        }
      }
      times.push(total);
      cpus.push(cpu);
    }
    return [{
      peer: 'fls/icat', image: tag, what: `fls -r -p of each filesystem + icat of the ${n} files the check read`,
      ms: median(times), vsGuestcheck: ratio(median(times), gcMs), cpuMs: median(cpus), vsGuestcheckCpu: ratio(median(cpus), gcCpu),
      ...(missing ? { note: `${missing} paths not in fls output` } : {}),
    }];
  }

  /** qemu-img on a container: info + check (metadata), and a full convert to raw (sparse output, deleted). */
  qemuImg(path: string, tag: string, fmt: string, gcMs: number, gcCpu: number): PeerRow[] {
    if (!this.found['qemu-img']) return [];
    const rows: PeerRow[] = [];
    const info = timeCmd('qemu-img', ['info', '-f', fmt, path], this.runs);
    const cpuOf = (t: { cpuMs: number | null }) => ({ cpuMs: t.cpuMs, vsGuestcheckCpu: ratio(t.cpuMs, gcCpu) });
    rows.push({ peer: 'qemu-img', image: tag, what: 'qemu-img info', ms: info.ms, vsGuestcheck: ratio(info.ms, gcMs), ...cpuOf(info) });
    if (fmt !== 'raw') {
      const chk = timeCmd('qemu-img', ['check', '-f', fmt, path], this.runs);
      rows.push({ peer: 'qemu-img', image: tag, what: 'qemu-img check (walks the metadata)', ms: chk.ms, vsGuestcheck: ratio(chk.ms, gcMs), ...cpuOf(chk), ...(chk.ms === null ? { note: chk.err } : {}) });
      const out = join(tmpdir(), `gc-bench-convert-${process.pid}.raw`);
      const conv = timeCmd('sh', ['-c', `qemu-img convert -f ${fmt} -O raw '${path}' '${out}'; rc=$?; rm -f '${out}'; exit $rc`], Math.min(this.runs, 3));
      rows.push({ peer: 'qemu-img', image: tag, what: 'qemu-img convert -O raw (reads every allocated cluster)', ms: conv.ms, vsGuestcheck: ratio(conv.ms, gcMs), ...cpuOf(conv) });
    }
    return rows;
  }

  /**
   * virt-inspector once, with a timeout: it boots the libguestfs appliance.
   * supermin needs a host kernel; a machine without one in /boot (a
   * container) borrows the guest tree's (SUPERMIN_KERNEL; its modules must
   * be copied to /lib/modules/VERSION: said when they are not). KVM is used
   * only with BENCH_VIRT_KVM=1 (on this machine /dev/kvm exists but qemu
   * aborts setting an MSR), else TCG.
   */
  virtInspector(raw: string, tag: string, gcMs: number, gcCpu: number, timeoutS: number): PeerRow[] {
    if (!this.found['virt-inspector (libguestfs)']) return [];
    const env: NodeJS.ProcessEnv = { ...process.env, LIBGUESTFS_BACKEND: 'direct' };
    const kvm = process.env.BENCH_VIRT_KVM === '1';
    if (!kvm) env.LIBGUESTFS_BACKEND_SETTINGS = 'force_tcg';
    const hostKernel = existsSync('/boot') && readdirSync('/boot').some((n) => n.startsWith('vmlinuz-'));
    let kernelNote = '';
    if (!hostKernel) {
      const tree = join(this.root, '.cache/guest-tree/full');
      const k = existsSync(join(tree, 'boot')) ? readdirSync(join(tree, 'boot')).find((n) => n.startsWith('vmlinuz-')) : undefined;
      if (!k) return [{ peer: 'virt-inspector', image: tag, what: 'virt-inspector -a', ms: null, vsGuestcheck: null, note: 'no kernel in /boot for supermin, and no guest tree kernel to borrow' }];
      const v = k.slice('vmlinuz-'.length);
      if (!existsSync(join('/lib/modules', v))) {
        return [{ peer: 'virt-inspector', image: tag, what: 'virt-inspector -a', ms: null, vsGuestcheck: null,
          note: `no kernel in /boot: copy ${join(tree, 'usr/lib/modules', v)} to /lib/modules/ (supermin borrows the guest tree's kernel) or install linux-image-amd64` }];
      }
      Object.assign(env, { SUPERMIN_KERNEL: join(tree, 'boot', k), SUPERMIN_MODULES: join('/lib/modules', v), SUPERMIN_KERNEL_VERSION: v });
      kernelNote = `, appliance kernel ${v} from the guest tree`;
    }
    const r = spawnTimed('virt-inspector', ['--format=raw', '-a', raw], { env, timeoutMs: timeoutS * 1000, stdout: true });
    const ran = r.status === 0;
    const name = /<product_name>([^<]*)/.exec(r.stdout)?.[1];
    return [{
      peer: 'virt-inspector', image: tag, what: `virt-inspector -a (one run, timeout ${timeoutS} s, ${kvm ? 'KVM' : 'TCG, no KVM'}${kernelNote})`,
      ms: ran ? r.ms : null, vsGuestcheck: ran ? ratio(r.ms, gcMs, 1) : null, cpuMs: ran ? r.cpuMs : null, vsGuestcheckCpu: ran ? ratio(r.cpuMs, gcCpu, 1) : null,
      note: !ran ? (r.error ? `failed: ${r.error.message}` : `failed (exit ${r.status}): ${r.stderr.trim().split('\n').slice(-2).join(' ')}`)
        : /<operatingsystem>/.test(r.stdout) ? `found ${name ?? 'an OS'}` : 'ran, but found no operating system (its inspection wants more of a real Windows than this disk has)',
    }];
  }
}

export function readJson<T>(path: string, fallback: T): T {
  return existsSync(path) ? JSON.parse(readFileSync(path, 'utf8')) as T : fallback;
}
