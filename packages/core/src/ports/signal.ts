/** Options every port and use-case call accepts. */
export interface CallOptions {
  readonly signal?: AbortSignal | undefined;
}
