import { readFileSync } from 'node:fs';

// Garbage collections and allocation of a server started with `--trace-gc`, read from its stdout:
// V8 prints one line per collection with the heap before and after it, so what was allocated
// between two collections is the next one's "before" minus the previous one's "after".

const LINE =
  /: (Scavenge|Minor Mark-Sweep|Mark-Compact|Mark-Sweep)\b[^\n]*?([\d.]+) \([\d.]+\) -> ([\d.]+) \([\d.]+\) MB/;
const MB = 1024 * 1024;

export interface GcCounts {
  /** Young-generation collections (Scavenge, Minor Mark-Sweep). */
  readonly minor: number;
  /** Full collections (Mark-Compact). */
  readonly major: number;
  /** Bytes allocated on the JS heap (to 0.1 MB per collection, V8's precision). */
  readonly allocatedBytes: number;
}

export class GcTrace {
  #minor = 0;
  #major = 0;
  #allocated = 0;
  #lastAfter: number | undefined;
  #partial = '';

  /** Takes a chunk of the server's stdout; returns how many of its bytes were GC lines (not log). */
  feed(chunk: string): number {
    const text = this.#partial + chunk;
    const lines = text.split('\n');
    this.#partial = lines.pop() ?? '';
    let gcBytes = 0;
    for (const line of lines) {
      const match = LINE.exec(line);
      if (!match) continue;
      gcBytes += line.length + 1;
      const before = Number(match[2]) * MB;
      const after = Number(match[3]) * MB;
      if (this.#lastAfter !== undefined) this.#allocated += Math.max(0, before - this.#lastAfter);
      this.#lastAfter = after;
      if (match[1] === 'Mark-Compact' || match[1] === 'Mark-Sweep') this.#major++;
      else this.#minor++;
    }
    return gcBytes;
  }

  counts(): GcCounts {
    return { minor: this.#minor, major: this.#major, allocatedBytes: this.#allocated };
  }
}

/** What happened between two readings of the same trace. */
export function gcBetween(before: GcCounts, after: GcCounts): GcCounts {
  return {
    minor: after.minor - before.minor,
    major: after.major - before.major,
    allocatedBytes: after.allocatedBytes - before.allocatedBytes,
  };
}

/** CPU time a process has used so far (user + system), in seconds, from /proc (Linux). */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command's closing parenthesis: utime and stime are the 12th and 13th.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}
