import { describe, expect, it } from 'vitest';
import { planSync, toManagedUserSpec, type DirectoryUser, type ManagedIdpUser } from '@keycloak-exapp/core';

const dir = (id: string, change: Partial<DirectoryUser> = {}): DirectoryUser => ({
  id,
  displayName: `${id} Tester`,
  email: `${id}@example.com`,
  enabled: true,
  groups: [],
  ...change,
});
const managed = async (u: DirectoryUser, change: Partial<ManagedIdpUser> = {}): Promise<ManagedIdpUser> => {
  const spec = await toManagedUserSpec(u);
  return { id: `kc-${u.id}`, ...spec, passwordKeyId: null, ...change };
};

describe('planSync', () => {
  it('creates the missing, updates the changed, leaves the equal alone', async () => {
    const a = dir('a');
    const b = dir('b');
    const c = dir('c');
    const plan = await planSync(
      [a, b, c],
      [await managed(a), await managed(b, { firstName: 'Old' })],
      'disable',
    );
    expect(plan.counts).toEqual({ create: 1, update: 1, disable: 0, delete: 0, unchanged: 1 });
    expect(plan.actions.find((x) => x.kind === 'update')).toMatchObject({
      nextcloudId: 'b',
      fields: ['firstName'],
    });
  });

  it('disables users gone from the directory, once', async () => {
    const gone = dir('gone');
    expect((await planSync([], [await managed(gone)], 'disable')).counts.disable).toBe(1);
    expect((await planSync([], [await managed(gone, { enabled: false })], 'disable')).counts).toMatchObject({
      disable: 0,
      unchanged: 1,
    });
    expect((await planSync([], [await managed(gone, { enabled: false })], 'delete')).counts.delete).toBe(1);
  });

  it('turns a directory disable into an update of the enabled flag', async () => {
    const u = dir('u');
    const plan = await planSync([dir('u', { enabled: false })], [await managed(u)], 'disable');
    expect(plan.actions[0]).toMatchObject({ kind: 'update', fields: ['enabled'] });
  });

  it('ignores duplicate directory entries', async () => {
    expect((await planSync([dir('a'), dir('a')], [], 'disable')).counts.create).toBe(1);
  });
});
