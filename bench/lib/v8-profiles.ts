// Reads V8's profiles of a load window and names where it went: the CPU profile's self time and
// the sampling heap profile's allocated bytes, per function and per place (a package, a Node
// module, one of our files), as shares of the whole (idle left out).
import { readFileSync } from 'node:fs';

interface CallFrame {
  readonly functionName: string;
  readonly url: string;
  readonly lineNumber: number;
}
interface CpuProfile {
  readonly nodes: readonly { readonly id: number; readonly callFrame: CallFrame }[];
  readonly samples: readonly number[];
}
interface HeapNode {
  readonly callFrame: CallFrame;
  readonly selfSize: number;
  readonly children: readonly HeapNode[];
}

export interface ProfileItem {
  readonly name: string;
  /** Share of the whole, 0–1. */
  readonly share: number;
}

export interface ProfileSummary {
  /** Busy CPU samples (idle left out), or bytes allocated (heap). */
  readonly total: number;
  readonly topFunctions: readonly ProfileItem[];
  readonly places: readonly ProfileItem[];
}

/** Where a script lives: `pkg` for node_modules, `node:mod` for Node's own, our `package/file`. */
export function placeOf(url: string, functionName: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  if (url.startsWith('node:')) return url;
  const modules = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
  if (modules) return modules[1]!;
  const ours = /packages\/([^/]+)\/(?:dist|src)\/(.+?)\.[cm]?[jt]s$/.exec(url);
  if (ours) return `${ours[1]}/${ours[2]}`;
  return url.replace(/^file:\/\//, '');
}

function frameName({ functionName, url, lineNumber }: CallFrame): string {
  return `${functionName || '(anonymous)'} ${placeOf(url, functionName)}${url ? `:${lineNumber + 1}` : ''}`;
}

function summarise(weights: Iterable<[CallFrame, number]>, top: number): ProfileSummary {
  const byFunction = new Map<string, number>();
  const byPlace = new Map<string, number>();
  let total = 0;
  for (const [frame, weight] of weights) {
    if (frame.functionName === '(idle)' || weight === 0) continue;
    total += weight;
    const fn = frameName(frame);
    const place = placeOf(frame.url, frame.functionName);
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + weight);
    byPlace.set(place, (byPlace.get(place) ?? 0) + weight);
  }
  const ranked = (m: Map<string, number>) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, w]) => ({ name, share: total > 0 ? w / total : 0 }));
  return { total, topFunctions: ranked(byFunction), places: ranked(byPlace) };
}

/** A `Profiler.stop` profile: self time (samples) per function and place. */
export function summariseCpuProfile(file: string, top = 15): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const frames = new Map(profile.nodes.map((n) => [n.id, n.callFrame]));
  return summarise(
    profile.samples.flatMap((id) => {
      const frame = frames.get(id);
      return frame ? [[frame, 1] as [CallFrame, number]] : [];
    }),
    top,
  );
}

/** A `HeapProfiler.stopSampling` profile: bytes allocated (V8's estimate) per function and place. */
export function summariseHeapProfile(file: string, top = 15): ProfileSummary {
  const { head } = JSON.parse(readFileSync(file, 'utf8')) as { head: HeapNode };
  const weights: [CallFrame, number][] = [];
  const walk = (node: HeapNode) => {
    weights.push([node.callFrame, node.selfSize]);
    for (const child of node.children) walk(child);
  };
  walk(head);
  return summarise(weights, top);
}
