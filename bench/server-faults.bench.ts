/**
 * The fault-injecting upstream at load: `--requests` chat requests (default 1,000) at
 * `--concurrency` (default 100), spread over every fault (429 always, 500, HTML 502, reset,
 * garbage, non-object 200, text 200, `{}`, truncated stream, slow trickle), fallback on and off,
 * JSON and streams, against 20 routellm servers on 127.0.0.1. Prints each combination's outcomes
 * (the documented one first), requests answered and routed, and the run's duration.
 *
 *   npx tsx bench/server-faults.bench.ts [--requests 1000] [--concurrency 100]
 */
import { parseArgs } from 'node:util';
import { FAULTS } from '../test/helpers/fault-upstream.js';
import { expectedOutcome, runFaultLoad, startFaultRig } from '../test/helpers/fault-load.js';

const { values: flags } = parseArgs({ options: { requests: { type: 'string', default: '1000' }, concurrency: { type: 'string', default: '100' } } });
const requests = Number(flags.requests);
const rig = await startFaultRig();
try {
  const run = await runFaultLoad(rig, requests, Number(flags.concurrency));
  let unexpected = 0;
  for (const fault of FAULTS) {
    for (const fallback of [false, true]) {
      for (const stream of [false, true]) {
        const label = `${fault} fallback=${fallback} stream=${stream}`;
        const expected = expectedOutcome(fault, fallback, stream);
        const counts = run.outcomes.get(label) ?? new Map();
        const other = [...counts].filter(([outcome]) => outcome !== expected);
        unexpected += other.reduce((total, [, count]) => total + count, 0);
        console.log(`${label.padEnd(38)} ${expected} ${counts.get(expected) ?? 0}${other.map(([outcome, count]) => `, ${outcome} ${count}`).join('')}`);
      }
    }
  }
  console.log(`answered ${run.answered} of ${requests}, routed ${run.routed}, not as documented ${unexpected}, in ${(run.ms / 1000).toFixed(1)} s`);
} finally {
  await rig.close();
}
