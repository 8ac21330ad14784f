/**
 * Whose a violation no rule explains likely is, by the site's own page views: one that many
 * page views share is the site's (its pages load the resource), one that this page view alone
 * had, on a site with enough page views to tell, for a resource no other page view loads, is
 * likely the visitor's (an extension, adware). A judgment for the owner's dashboard only: the
 * visitor's popup raises a problem only on evidence a rule explains.
 */
export type PopulationSide = 'site' | 'visitor' | 'unknown';

export interface Population {
  /** Page views of the site in the window that had this violation (this one included). */
  pageViewsWithIt: number;
  /** Page views of the site in the window. */
  pageViews: number;
}

/** Fewer page views than this, and a violation seen once says nothing. */
export const POPULATION_MIN_PAGE_VIEWS = 20;
/** Seen on this share of page views (or more), a violation is the site's own. */
export const POPULATION_SITE_SHARE = 0.05;

export function judgePopulation({ pageViewsWithIt, pageViews }: Population): PopulationSide {
  if (pageViews >= POPULATION_MIN_PAGE_VIEWS && pageViewsWithIt <= 1) return 'visitor';
  if (pageViewsWithIt >= 3 && pageViewsWithIt >= pageViews * POPULATION_SITE_SHARE) return 'site';
  return 'unknown';
}
