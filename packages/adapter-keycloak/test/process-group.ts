import { readFileSync, readdirSync } from 'node:fs';

/** Live processes of a process group, read from /proc: pid and command name. */
export function processesInGroup(pgid: number): { pid: number; comm: string }[] {
  const found: { pid: number; comm: string }[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const close = stat.lastIndexOf(')');
      const comm = stat.slice(stat.indexOf('(') + 1, close);
      const [state, , pgrp] = stat.slice(close + 2).split(' ');
      if (Number(pgrp) === pgid && state !== 'Z') found.push({ pid: Number(entry), comm });
    } catch {
      // the process ended while we looked
    }
  }
  return found;
}

export function jvmOf(pgid: number): number | undefined {
  return processesInGroup(pgid).find((p) => p.comm === 'java')?.pid;
}
