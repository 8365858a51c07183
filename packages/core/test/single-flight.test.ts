import { describe, expect, it } from 'vitest';
import { SingleFlight } from '@keycloak-exapp/core';
import { directoryUser, world } from './harness.js';

/** A task that runs until released, and records whether its own signal was aborted. */
function heldTask() {
  let release!: (value: string) => void;
  const state = { started: 0, aborted: false };
  const task = (signal: AbortSignal) => {
    state.started++;
    signal.addEventListener('abort', () => (state.aborted = true));
    return new Promise<string>((resolve) => (release = resolve));
  };
  return { task, state, release: (value: string) => release(value) };
}

describe('SingleFlight', () => {
  it('lets the others keep waiting when the first of 20 callers gives up', async () => {
    const flight = new SingleFlight<string>();
    const held = heldTask();
    const callers = Array.from({ length: 20 }, () => new AbortController());
    const answers = callers.map((c) => flight.run('k', held.task, c.signal));
    callers[0]!.abort(new Error('client disconnected'));
    held.release('done');
    const settled = await Promise.allSettled(answers);
    expect(settled[0]).toMatchObject({ status: 'rejected', reason: { code: 'CANCELLED' } });
    expect(settled.slice(1).map((s) => s.status === 'fulfilled' && s.value)).toEqual(Array(19).fill('done'));
    expect(held.state).toEqual({ started: 1, aborted: false });
  });

  it('aborts the shared work only when every waiting caller has gone, and starts afresh after', async () => {
    const flight = new SingleFlight<string>();
    const held = heldTask();
    const callers = [new AbortController(), new AbortController()];
    const answers = callers.map((c) => flight.run('k', held.task, c.signal));
    callers[0]!.abort();
    expect(held.state.aborted).toBe(false);
    callers[1]!.abort();
    expect(held.state.aborted).toBe(true);
    await expect(Promise.all(answers)).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(flight.size).toBe(0);
    const next = heldTask();
    const again = flight.run('k', next.task);
    next.release('fresh');
    await expect(again).resolves.toBe('fresh');
  });

  it('never aborts work that a caller without a signal still waits for', async () => {
    const flight = new SingleFlight<string>();
    const held = heldTask();
    const leaving = new AbortController();
    const first = flight.run('k', held.task, leaving.signal);
    const patient = flight.run('k', held.task);
    leaving.abort();
    held.release('kept');
    await expect(first).rejects.toMatchObject({ code: 'CANCELLED' });
    await expect(patient).resolves.toBe('kept');
    expect(held.state.aborted).toBe(false);
  });
});

describe('IssueToken shares work without sharing a caller’s cancellation', () => {
  it('serves the 19 callers that stay when the first of 20 disconnects', async () => {
    const w = await world({ users: [directoryUser('alice')] });
    const callers = Array.from({ length: 20 }, () => new AbortController());
    const answers = callers.map((c) =>
      w.token.execute({ userId: 'alice', clientId: 'opentalk' }, { signal: c.signal }),
    );
    callers[0]!.abort(new Error('client disconnected'));
    const settled = await Promise.allSettled(answers);
    expect(settled[0]).toMatchObject({ status: 'rejected', reason: { code: 'CANCELLED' } });
    const served = settled.slice(1).filter((s) => s.status === 'fulfilled');
    expect(served).toHaveLength(19);
    expect(w.idp.calls('passwordGrant')).toBe(1);
    expect(w.idp.calls('setPassword')).toBe(1);
  });
});
