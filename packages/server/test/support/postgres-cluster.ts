// The throwaway cluster is shared with the benchmarks, which run as plain Node scripts.
export { startThrowawayCluster, type ThrowawayCluster } from '../../../../scripts/throwaway-postgres.mjs';
