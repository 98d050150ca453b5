// SPDX-License-Identifier: Apache-2.0
// The page's client (src/client/checker.ts) against workers that misbehave:
// one that never answers, one that crashes, one that answers then stops; a
// stand-in Worker (an EventTarget) replaces the real one, so the watchdog's
// timings can be short. Each check resolves to that image's report with a
// named error; none hangs, none rejects.
import { describe, it, expect, vi, beforeEach } from 'vitest';

type Behaviour = 'silent' | 'crash' | 'beat-then-stop';
let behaviour: Behaviour = 'silent';
let terminated = 0;

class FakeWorker extends EventTarget {
  postMessage(msg: any) {
    // comlink's call message carries the progress proxy's port among its arguments
    const port: MessagePort | undefined = msg?.argumentList?.map((a: any) => a?.value).find((v: any) => v instanceof MessagePort);
    if (behaviour === 'crash') {
      setTimeout(() => this.dispatchEvent(Object.assign(new Event('error', { cancelable: true }), { message: 'Uncaught RangeError: out of memory' })), 10);
    } else if (behaviour === 'beat-then-stop' && port) {
      // two progress messages through the proxy, then nothing
      const send = (p: object) => port.postMessage({ type: 'APPLY', path: [], argumentList: [{ type: 'RAW', value: p }] });
      setTimeout(() => send({ phase: 'mounting', bytesRead: 1, readCalls: 1 }), 10);
      setTimeout(() => send({ phase: 'checking', bytesRead: 2, readCalls: 2 }), 20);
    }
  }
  terminate() { terminated++; }
}

vi.mock('../../src/client/start-worker', () => ({ startCheckWorker: () => new FakeWorker() }));
const { checkImage } = await import('../../src/client/checker');
const file = new File([new Uint8Array(16)], 'disk.img');

beforeEach(() => { terminated = 0; });

describe('the page\'s client ends a misbehaving worker with a named error', () => {
  it('a worker that never answers: engine.unresponsive after the silence, naming the image and phase', async () => {
    behaviour = 'silent';
    const t = performance.now();
    const r = await checkImage([file], { silenceMs: 300, timeBudgetMs: 60_000 });
    expect(performance.now() - t).toBeLessThan(5000);
    expect(r.error).toEqual({ code: 'engine.unresponsive', message: 'guestcheck stopped while opening the image of disk.img: the check\'s worker gave no sign of life for 0.3 s' });
    expect(r.findings).toEqual([]);
    expect(r.image.files).toEqual(['disk.img']);
    expect(terminated).toBe(1);
  });

  it('a worker that crashes: engine.crashed with its message', async () => {
    behaviour = 'crash';
    const r = await checkImage([file], { silenceMs: 10_000 });
    expect(r.error?.code).toBe('engine.crashed');
    expect(r.error?.message).toBe('guestcheck\'s worker crashed while opening the image of disk.img: Uncaught RangeError: out of memory');
    expect(terminated).toBe(1);
  });

  it('a worker that reports progress then goes quiet: the phase it was last in is named', async () => {
    behaviour = 'beat-then-stop';
    const phases: string[] = [];
    const r = await checkImage([file], { silenceMs: 400, timeBudgetMs: 60_000, onProgress: (p) => phases.push(p.phase) });
    expect(phases).toEqual(['mounting', 'checking']);
    expect(r.error?.code).toBe('engine.unresponsive');
    expect(r.error?.message).toMatch(/^guestcheck stopped while running the check items of disk\.img/);
    expect(r.stats.readCalls).toBe(2);
  });

  it('past the time budget and its grace: limit.time, before the silence would end it', async () => {
    behaviour = 'silent';
    const r = await checkImage([file], { silenceMs: 60_000, timeBudgetMs: 100 });
    expect(r.error?.code).toBe('limit.time');
    expect(r.error?.message).toMatch(/ran over its time budget of 0\.1 s and did not stop by itself$/);
  }, 10_000);
});
