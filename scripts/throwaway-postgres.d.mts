/** A PostgreSQL cluster made for one test or benchmark run. */
export interface ThrowawayCluster {
  url: string;
  stop(): void;
}

/** Starts a cluster, or explains why it cannot (the string); `durable` keeps fsync on. */
export function startThrowawayCluster(options?: { durable?: boolean }): Promise<ThrowawayCluster | string>;
