// Loaded into the server by the profile bench (`node --import …`): each SIGUSR2 moves one step, so
// the bench profiles exactly its load windows without restarting the server. Steps: start the CPU
// profiler → write <out>.cpuprofile → start sampling allocations (collected objects included) →
// write <out>.heapprofile. Each step leaves <out>.<step> when it has taken effect.
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';

const out = process.env.BENCH_PROFILE_OUT;
if (!out) throw new Error('BENCH_PROFILE_OUT is not set');
const session = new Session();
session.connect();
const steps = [
  async () => {
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: 500 });
    await session.post('Profiler.start');
  },
  async () => {
    const { profile } = await session.post('Profiler.stop');
    writeFileSync(`${out}.cpuprofile`, JSON.stringify(profile));
  },
  async () => {
    await session.post('HeapProfiler.enable');
    await session.post('HeapProfiler.startSampling', {
      samplingInterval: 4096,
      includeObjectsCollectedByMajorGC: true,
      includeObjectsCollectedByMinorGC: true,
    });
  },
  async () => {
    const { profile } = await session.post('HeapProfiler.stopSampling');
    writeFileSync(`${out}.heapprofile`, JSON.stringify(profile));
  },
];
let step = 0;
let busy = Promise.resolve();
process.on('SIGUSR2', () => {
  const n = step++;
  busy = busy.then(async () => {
    await steps[n]?.();
    writeFileSync(`${out}.${n}`, '');
  });
});
