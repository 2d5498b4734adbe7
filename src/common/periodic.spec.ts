import { Periodic } from './periodic';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('Periodic', () => {
  it('never runs two passes at once, and stop() waits for the running one', async () => {
    let active = 0;
    let maxActive = 0;
    let finished = 0;
    const p = new Periodic(async () => {
      maxActive = Math.max(maxActive, ++active);
      await sleep(30);
      active--;
      finished++;
    }, () => undefined);
    p.start(5);
    await sleep(80);
    await p.stop();
    expect(maxActive).toBe(1);
    expect(active).toBe(0);
    const after = finished;
    expect(after).toBeGreaterThanOrEqual(1);
    await sleep(30);
    expect(finished).toBe(after);
  });

  it('reports a failed pass and keeps going', async () => {
    const errors: string[] = [];
    let calls = 0;
    const p = new Periodic(async () => {
      calls++;
      throw new Error(`boom ${calls}`);
    }, (err) => errors.push(err.message));
    p.start(5);
    await sleep(60);
    await p.stop();
    expect(calls).toBeGreaterThanOrEqual(2);
    expect(errors.slice(0, 2)).toEqual(['boom 1', 'boom 2']);
  });
});
