import type { AdminSite, AdminSites } from '@csp-observer/core';
import { api } from './api';
import { useData } from './use-data';

/** The `site` value for the collector's own pages. */
export const LOCAL_SITE = 'local';

/** The collector's sites; an empty list when this server is not a collector. */
export function useSites(): AdminSite[] {
  return useData('sites', () => api.get<AdminSites>('sites')).data?.sites ?? [];
}
