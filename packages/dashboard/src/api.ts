import type { ErrorBody } from '@csp-observer/core';

/** The admin API, relative to the page (`{prefix}/admin/`): every call is same-origin. Its types: core's wire/admin-api.ts. */

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

let csrfToken: string | null = null;
let onUnauthorized: () => void = () => {};

/** Called when a call answers 401: the login has expired. */
export function whenUnauthorized(callback: () => void): void {
  onUnauthorized = callback;
}

export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['X-CSRF-Token'] = csrfToken;
  const response = await fetch(`api/${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: 'same-origin',
  });
  if (response.status === 204) return undefined as T;
  const data = (await response.json().catch(() => ({}))) as Partial<ErrorBody>;
  if (!response.ok) {
    if (response.status === 401 && path !== 'login' && path !== 'session') onUnauthorized();
    throw new ApiError(response.status, data.error ?? `HTTP ${response.status}`);
  }
  return data as T;
}

export const api = {
  get: <T>(path: string) => call<T>('GET', path),
  post: <T>(path: string, body: unknown = {}) => call<T>('POST', path, body),
  put: <T>(path: string, body: unknown) => call<T>('PUT', path, body),
  del: <T>(path: string) => call<T>('DELETE', path),
};

/** A query string from the set values only (an AdminReportQuery, AdminPeriodQuery...). */
export function query<T extends { [K in keyof T]: string | number | undefined | null }>(params: T): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params) as Array<[string, string | number | undefined | null]>)
    if (value !== undefined && value !== null && value !== '') search.set(key, String(value));
  const text = search.toString();
  return text ? `?${text}` : '';
}
