import {
  differingFields,
  toManagedUserSpec,
  type DirectoryUser,
  type ManagedIdpUser,
  type ManagedUserSpec,
} from './user.js';

/** What to do with a managed user whose directory account is gone. */
export type DeprovisionPolicy = 'disable' | 'delete';

export type SyncAction =
  | { readonly kind: 'create'; readonly nextcloudId: string; readonly spec: ManagedUserSpec }
  | {
      readonly kind: 'update';
      readonly nextcloudId: string;
      readonly spec: ManagedUserSpec;
      readonly current: ManagedIdpUser;
      readonly fields: readonly (keyof ManagedUserSpec)[];
    }
  | { readonly kind: 'disable'; readonly nextcloudId: string; readonly current: ManagedIdpUser }
  | { readonly kind: 'delete'; readonly nextcloudId: string; readonly current: ManagedIdpUser }
  | { readonly kind: 'unchanged'; readonly nextcloudId: string };

export type SyncActionKind = SyncAction['kind'];

export interface SyncPlan {
  readonly actions: readonly SyncAction[];
  readonly counts: Readonly<Record<SyncActionKind, number>>;
}

/**
 * The pure diff between the directory and the managed users of the identity provider.
 * - A directory user without a managed counterpart is created (disabled ones too, disabled).
 * - A managed user whose fields differ is updated; one whose directory account got disabled is an
 *   update whose fields include `enabled` (the caller also revokes its sessions).
 * - A managed user missing from the directory is disabled, or deleted under the `delete` policy;
 *   one that is already disabled under the `disable` policy is unchanged.
 * Users without the managed marker never reach this function, so they are never touched.
 */
export async function planSync(
  directoryUsers: Iterable<DirectoryUser>,
  managedUsers: Iterable<ManagedIdpUser>,
  policy: DeprovisionPolicy,
): Promise<SyncPlan> {
  const byNextcloudId = new Map<string, ManagedIdpUser>();
  for (const user of managedUsers) byNextcloudId.set(user.nextcloudId, user);

  const actions: SyncAction[] = [];
  const seen = new Set<string>();
  for (const user of directoryUsers) {
    if (seen.has(user.id)) continue;
    seen.add(user.id);
    const spec = await toManagedUserSpec(user);
    const current = byNextcloudId.get(user.id);
    if (!current) {
      actions.push({ kind: 'create', nextcloudId: user.id, spec });
      continue;
    }
    const fields = differingFields(spec, current);
    actions.push(
      fields.length === 0
        ? { kind: 'unchanged', nextcloudId: user.id }
        : { kind: 'update', nextcloudId: user.id, spec, current, fields },
    );
  }
  for (const [nextcloudId, current] of byNextcloudId) {
    if (seen.has(nextcloudId)) continue;
    if (policy === 'delete') actions.push({ kind: 'delete', nextcloudId, current });
    else if (current.enabled) actions.push({ kind: 'disable', nextcloudId, current });
    else actions.push({ kind: 'unchanged', nextcloudId });
  }

  const counts: Record<SyncActionKind, number> = {
    create: 0,
    update: 0,
    disable: 0,
    delete: 0,
    unchanged: 0,
  };
  for (const action of actions) counts[action.kind]++;
  return { actions, counts };
}
