import { describe, expect, it } from 'vitest';
import { type SyncReport } from '@keycloak-exapp/core';
import { InMemoryUserDirectory, ManualClock } from '@keycloak-exapp/core/testing';
import { keycloakPublicBase } from '@keycloak-exapp/composition';
import { NextcloudAdminCheck, SyncJobs } from '@keycloak-exapp/http-koa';

const report = {} as SyncReport;

describe('SyncJobs', () => {
  it('runs one job at a time and lets a caller wait on a promise, not by polling', async () => {
    const jobs = new SyncJobs({ clock: new ManualClock() });
    let finish!: () => void;
    const first = jobs.start(() => new Promise<SyncReport>((ok) => (finish = () => ok(report))));
    expect(jobs.start(() => Promise.resolve(report))).toBe(first);
    finish();
    await expect(first.finished).resolves.toMatchObject({ status: 'done' });
  });

  it('keeps finished jobs for a bounded time and number', async () => {
    const clock = new ManualClock();
    const jobs = new SyncJobs({ clock, keepForMs: 60_000, keepAtMost: 3 });
    const ids: string[] = [];
    for (let i = 0; i < 10; i++) {
      const job = jobs.start(() => (i % 2 ? Promise.reject(new Error('boom')) : Promise.resolve(report)));
      await job.finished;
      ids.push(job.id);
    }
    expect(jobs.size).toBe(3);
    expect(jobs.get(ids[9]!)).toBeDefined();
    expect(jobs.get(ids[0]!)).toBeUndefined();
    clock.advance(60_001);
    expect(jobs.get(ids[9]!)).toBeUndefined();
    expect(jobs.size).toBe(0);
  });
});

describe('NextcloudAdminCheck', () => {
  it('asks the directory again once the answer expired, and keeps a bounded number of answers', async () => {
    const directory = new InMemoryUserDirectory([
      { id: 'root', displayName: 'Root', email: null, enabled: true, groups: ['admin'] },
    ]);
    const clock = new ManualClock();
    const check = new NextcloudAdminCheck(directory, clock, 30_000, 10);
    const signal = new AbortController().signal;
    expect(await check.isAdmin('root', signal)).toBe(true);
    directory.update('root', { groups: [] });
    expect(await check.isAdmin('root', signal)).toBe(true); // cached
    clock.advance(30_000);
    expect(await check.isAdmin('root', signal)).toBe(false); // expired: asked again
    for (let i = 0; i < 50; i++) await check.isAdmin(`visitor${i}`, signal);
    expect(check.size).toBeLessThanOrEqual(10);
  });
});

describe('keycloakPublicBase: the issuer never depends on a request', () => {
  const settings = { NEXTCLOUD_URL: 'https://cloud.example.nl/index.php', APP_ID: 'keycloak' };
  it('derives the HaRP prefix when the ExApp runs behind HaRP', () => {
    expect(keycloakPublicBase({ ...settings, HP_SHARED_KEY: 'k' })).toEqual({
      url: 'https://cloud.example.nl/exapps/keycloak',
      source: 'harp',
    });
  });
  it('derives the classic proxy prefix otherwise, or as NEXTCLOUD_PROXY says', () => {
    expect(keycloakPublicBase(settings)).toEqual({
      url: 'https://cloud.example.nl/index.php/apps/app_api/proxy/keycloak',
      source: 'classic',
    });
    expect(keycloakPublicBase({ ...settings, NEXTCLOUD_PROXY: 'harp' }).source).toBe('harp');
  });
  it('takes KC_HOSTNAME as it is when set', () => {
    expect(keycloakPublicBase({ ...settings, KC_HOSTNAME: 'https://id.example.nl/' })).toEqual({
      url: 'https://id.example.nl',
      source: 'KC_HOSTNAME',
    });
  });
});
