// A fixed-time HTTP load with autocannon: `connections` requests in flight, for `seconds`.
import autocannon from 'autocannon';

export interface LoadRequest {
  readonly method: 'POST' | 'GET';
  readonly path: string;
  readonly headers?: Record<string, string>;
  readonly body?: string;
}

export interface LoadResult {
  readonly requestsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly requests: number;
  readonly non2xx: number;
  readonly errors: number;
  readonly timeouts: number;
}

/**
 * Each connection walks through `requests` in order and starts over (so the users rotate), each
 * from its own offset: connections in lockstep on one user would measure request coalescing.
 */
export async function load(
  url: string,
  requests: readonly LoadRequest[],
  connections: number,
  seconds: number,
): Promise<LoadResult> {
  const step = Math.max(1, Math.floor(requests.length / connections));
  let clients = 0;
  const result = await autocannon({
    url,
    connections,
    duration: seconds,
    timeout: 30,
    requests: requests.map((r) => ({ ...r })),
    setupClient: (client) => {
      const offset = (clients++ * step) % requests.length;
      client.setRequests([...requests.slice(offset), ...requests.slice(0, offset)].map((r) => ({ ...r })));
    },
  });
  return {
    requestsPerSecond: result.requests.total / result.duration,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    requests: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
  };
}
