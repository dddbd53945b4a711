// Reports over per-seed results (the multi-seed table and the sweep) and a sweep's values, each
// from the request it belongs to (its CSV and the MNIST subset when it needs them).

import { provideData } from '../datasets.js';
import { messageOf } from './slices.js';
import { mnistBytes } from './load.js';

/** The request with its CSV, or the MNIST subset's bytes when it needs them. */
export async function seedInputs(slam, post, msg) {
  const request = msg.csv ? { ...msg.request, csv: msg.csv.text, csv_name: msg.csv.name } : msg.request;
  const bytes = msg.needsPool && !request.csv ? await mnistBytes(post) : undefined;
  await provideData(slam, request);
  return { request, bytes };
}

/** Answers `msg` with `{type: 'summary', id, report: compute(inputs)}`, or the error in words. */
async function answer(slam, post, msg, compute) {
  try {
    const inputs = await seedInputs(slam, post, msg);
    post({ type: 'summary', id: msg.id, report: compute(inputs) });
  } catch (e) {
    post({ type: 'summary-error', id: msg.id, message: messageOf(e) });
  }
}

/** The report over per-seed results (slam.summariseSeeds), in seed order. */
export function summarise(slam, post, msg) {
  return answer(slam, post, msg, ({ request, bytes }) =>
    bytes ? slam.summariseSeeds(request, msg.results, bytes) : slam.summariseSeeds(request, msg.results));
}

/** A sweep's report over per-seed results grouped by value (summariseSweep), as `slam-lab sweep --json`. */
export function summariseSweep(slam, post, msg) {
  return answer(slam, post, msg, ({ request, bytes }) =>
    bytes
      ? slam.summariseSweep(request, msg.key, msg.values, msg.results, bytes)
      : slam.summariseSweep(request, msg.key, msg.values, msg.results));
}

/** A sweep's values read and checked by the engine (errors name the key and the value). */
export function sweepValues(slam, post, msg) {
  return answer(slam, post, { ...msg, needsPool: false }, ({ request }) => slam.sweepValues(request, msg.key, msg.text));
}
