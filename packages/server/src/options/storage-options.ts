import type { DatabaseOption } from '../storage/database.js';
import { positive } from './option-checks.js';

/** Where reports and page views are kept, and for how long. */
export interface StorageOptions {
  /** Default `csp-observer.sqlite` in the working directory. */
  database?: DatabaseOption;
  /** Run pending migrations when the middleware starts (default true). */
  migrate?: boolean;
  /** How long sessions and reports are kept; tokens older than this are refused (default 14). */
  sessionKeepDays?: number;
}

/** How long sessions and reports are kept by default (django-csp-observer's SESSION_KEEP_DAYS). */
export const DEFAULT_SESSION_KEEP_DAYS = 14;

export const STORAGE_DEFAULTS = {
  database: 'csp-observer.sqlite',
  migrate: true,
  sessionKeepDays: DEFAULT_SESSION_KEEP_DAYS,
} as const satisfies StorageOptions;

export interface ResolvedStorageOptions {
  database: DatabaseOption;
  migrate: boolean;
  sessionKeepDays: number;
}

export function resolveStorageOptions(options: StorageOptions): ResolvedStorageOptions {
  return {
    database: options.database ?? STORAGE_DEFAULTS.database,
    migrate: options.migrate ?? STORAGE_DEFAULTS.migrate,
    sessionKeepDays: positive('sessionKeepDays', options.sessionKeepDays, STORAGE_DEFAULTS.sessionKeepDays),
  };
}
