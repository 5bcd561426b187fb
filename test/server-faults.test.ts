/**
 * Every fault of the stand-in upstream, under concurrent load (bounded here; 1,000 requests at
 * concurrency 100 in bench/server-faults.bench.ts): each request gets its documented answer (200
 * with a fallback record, 502 provider_error, or a stream that ends with an error event instead of
 * [DONE]) and none is lost.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAULTS } from './helpers/fault-upstream.js';
import { expectedOutcome, runFaultLoad, startFaultRig, type FaultRig } from './helpers/fault-load.js';

let rig: FaultRig;
beforeAll(async () => {
  rig = await startFaultRig();
});
afterAll(async () => {
  await rig.close();
});

describe('fault-injecting upstream under load', () => {
  it('answers 200 requests at concurrency 40 with the documented status or in-band error for each fault, falling back where enabled', async () => {
    const run = await runFaultLoad(rig, 200, 40);
    expect(run.answered).toBe(200);
    expect(run.routed).toBe(200);
    for (const fault of FAULTS) {
      for (const fallback of [false, true]) {
        for (const stream of [false, true]) {
          const label = `${fault} fallback=${fallback} stream=${stream}`;
          expect([...run.outcomes.get(label)!.keys()], label).toEqual([expectedOutcome(fault, fallback, stream)]);
        }
      }
    }
  }, 60_000);
});
