// The original Python ExApp's sync, reproduced for comparison: for every Nextcloud user, one after
// the other, look the user up in Keycloak, create or update them, and reset their password to a
// fresh random one; every call on a new HTTP connection (no keep-alive). The user list is read with
// the same Nextcloud reader ours uses, so only the Keycloak side differs. The admin token is taken
// once and renewed before it expires (cheaper than the original, which is in the baseline's favour).
import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { toManagedUserSpec, type DirectoryUser } from '@keycloak-exapp/core';

export interface BaselineResult {
  readonly seconds: number;
  readonly calls: number;
}

interface Answer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

function send(base: string, method: string, path: string, headers: Record<string, string>, body?: string) {
  const url = new URL(path, base);
  return new Promise<Answer>((resolve, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        method,
        path: `${url.pathname}${url.search}`,
        agent: false, // a new TCP connection for every call
        headers: { connection: 'close', ...headers },
      },
      (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

export class BaselineSync {
  #token: { value: string; renewAt: number } | undefined;
  calls = 0;

  constructor(
    private readonly baseUrl: string,
    private readonly realm: string,
    private readonly admin: { clientId: string; clientSecret: string },
  ) {}

  async #call(method: string, path: string, json?: unknown): Promise<Answer> {
    const token = await this.#adminToken();
    this.calls++;
    const answer = await send(
      this.baseUrl,
      method,
      `/admin/realms/${this.realm}/${path}`,
      { authorization: `Bearer ${token}`, ...(json ? { 'content-type': 'application/json' } : {}) },
      json ? JSON.stringify(json) : undefined,
    );
    if (answer.status >= 300)
      throw new Error(`${method} ${path}: ${answer.status} ${answer.body.slice(0, 200)}`);
    return answer;
  }

  async #adminToken(): Promise<string> {
    if (this.#token && Date.now() < this.#token.renewAt) return this.#token.value;
    const res = await send(
      this.baseUrl,
      'POST',
      '/realms/master/protocol/openid-connect/token',
      { 'content-type': 'application/x-www-form-urlencoded' },
      new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: this.admin.clientId,
        client_secret: this.admin.clientSecret,
      }).toString(),
    );
    const body = JSON.parse(res.body) as { access_token: string; expires_in: number };
    this.#token = { value: body.access_token, renewAt: Date.now() + body.expires_in * 800 };
    return body.access_token;
  }

  async syncOne(user: DirectoryUser): Promise<void> {
    const spec = await toManagedUserSpec(user);
    const rep = {
      username: spec.username,
      email: spec.email ?? undefined,
      firstName: spec.firstName ?? undefined,
      lastName: spec.lastName ?? undefined,
      enabled: spec.enabled,
      emailVerified: true,
      attributes: { nextcloud_id: [spec.nextcloudId] },
    };
    const found = JSON.parse(
      (await this.#call('GET', `users?username=${encodeURIComponent(spec.username)}&exact=true`)).body,
    ) as { id: string }[];
    let id = found[0]?.id;
    if (id) {
      await this.#call('PUT', `users/${id}`, rep);
    } else {
      const created = await this.#call('POST', 'users', rep);
      id = String(created.headers.location).split('/').pop()!;
    }
    await this.#call('PUT', `users/${id}/reset-password`, {
      type: 'password',
      value: randomBytes(18).toString('base64url'),
      temporary: false,
    });
  }

  async syncAll(users: readonly DirectoryUser[]): Promise<BaselineResult> {
    const before = this.calls;
    const started = performance.now();
    for (const user of users) await this.syncOne(user);
    return { seconds: (performance.now() - started) / 1000, calls: this.calls - before };
  }
}
