import { sqliteFilename, type DatabaseOption } from '../storage/database.js';
import { OptionsError, positive } from './option-checks.js';

/** Where reports and page views are kept, and for how long. */
export interface StorageOptions {
  /** Default `csp-observer.sqlite` in the working directory. */
  database?: DatabaseOption;
  /** Run pending migrations when the middleware starts (default true). */
  migrate?: boolean;
  /** How long sessions and reports are kept; tokens older than this are refused (default 14). */
  sessionKeepDays?: number;
  /**
   * Seconds any database call of a request may take (default 10): past it the request is
   * answered 503 with `Retry-After` instead of waiting for a database that stopped answering.
   * For a `postgres://` URL it also bounds the pool's connect, acquire and query times.
   */
  databaseTimeoutSeconds?: number;
}

/** How long sessions and reports are kept by default (django-csp-observer's SESSION_KEEP_DAYS). */
export const DEFAULT_SESSION_KEEP_DAYS = 14;

export const STORAGE_DEFAULTS = {
  database: 'csp-observer.sqlite',
  migrate: true,
  sessionKeepDays: DEFAULT_SESSION_KEEP_DAYS,
  databaseTimeoutSeconds: 10,
} as const satisfies StorageOptions;

export interface ResolvedStorageOptions {
  database: DatabaseOption;
  migrate: boolean;
  sessionKeepDays: number;
  databaseTimeoutSeconds: number;
}

/** Every key of StorageOptions, for refusing the ones that are not (the compiler keeps the list whole). */
export const STORAGE_OPTION_KEYS: Record<keyof StorageOptions, true> = {
  database: true,
  migrate: true,
  sessionKeepDays: true,
  databaseTimeoutSeconds: true,
};

export function resolveStorageOptions(options: StorageOptions): ResolvedStorageOptions {
  if (typeof options.database === 'string') {
    try {
      sqliteFilename(options.database);
    } catch (error) {
      throw new OptionsError((error as Error).message);
    }
  }
  return {
    database: options.database ?? STORAGE_DEFAULTS.database,
    migrate: options.migrate ?? STORAGE_DEFAULTS.migrate,
    sessionKeepDays: positive('sessionKeepDays', options.sessionKeepDays, STORAGE_DEFAULTS.sessionKeepDays),
    databaseTimeoutSeconds: positive('databaseTimeoutSeconds', options.databaseTimeoutSeconds, STORAGE_DEFAULTS.databaseTimeoutSeconds),
  };
}
