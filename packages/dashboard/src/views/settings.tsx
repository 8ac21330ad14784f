import type { AdminSettings } from '@csp-observer/core';
import { api } from '../api';
import { ErrorBox, Loading } from '../components/ui';
import { useData } from '../use-data';

export function Settings() {
  const { data, error, loading } = useData('settings', () => api.get<AdminSettings>('settings'));
  return (
    <>
      <header class="view-header">
        <h1>Settings</h1>
      </header>
      <p class="muted">
        The effective configuration of this server, secrets masked. Change it in the cspObserver() options or the environment
        (docs/configuration.md).
      </p>
      {error && <ErrorBox message={error} />}
      {loading && !data && <Loading />}
      {data && (
        <dl class="fields" data-testid="settings">
          {Object.entries(data).map(([key, value]) => (
            <div key={key}>
              <dt>{key}</dt>
              <dd>
                {value === null || value === undefined ? (
                  <span class="muted">not set</span>
                ) : typeof value === 'object' ? (
                  <pre class="raw">{JSON.stringify(value, null, 2)}</pre>
                ) : (
                  <code class="value">{String(value)}</code>
                )}
              </dd>
            </div>
          ))}
        </dl>
      )}
    </>
  );
}
