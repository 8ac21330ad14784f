import { api } from './api';
import { useData } from './use-data';

/** A site of a central collector, as `GET sites` lists it. */
export interface CollectorSite {
  id: string;
  origins: string[];
  secrets: number;
  graceUntil: string[];
}

/** The `site` value for the collector's own pages. */
export const LOCAL_SITE = 'local';

/** The collector's sites; an empty list when this server is not a collector. */
export function useSites(): CollectorSite[] {
  return useData('sites', () => api.get<{ sites: CollectorSite[] }>('sites')).data?.sites ?? [];
}
