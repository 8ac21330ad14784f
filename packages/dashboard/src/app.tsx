import type { AdminSessionInfo } from '@csp-observer/core';
import { useEffect, useState } from 'preact/hooks';
import { api, type ApiError, setCsrfToken, whenUnauthorized } from './api';
import { ErrorBox, Loading } from './components/ui';
import { hrefOf, useRoute } from './route';
import { Login } from './views/login';
import { Overview } from './views/overview';
import { PolicyAssistant } from './views/policy';
import { ReportDetailView } from './views/report-detail';
import { Reports } from './views/reports';
import { Rules } from './views/rules';
import { SessionDetailView } from './views/session-detail';
import { Sessions } from './views/sessions';
import { Settings } from './views/settings';

type Access = { state: 'checking' } | { state: 'in'; canLogOut: boolean } | { state: 'login' } | { state: 'closed'; message: string };

const NAV: Array<[string, string]> = [
  ['overview', 'Overview'],
  ['reports', 'Reports'],
  ['sessions', 'Page views'],
  ['rules', 'Rules'],
  ['policy', 'Policy'],
  ['settings', 'Settings'],
];

export function App() {
  const [access, setAccess] = useState<Access>({ state: 'checking' });
  const route = useRoute();

  const check = () =>
    api.get<AdminSessionInfo>('session').then(
      (session) => {
        setCsrfToken(session.csrfToken);
        setAccess({ state: 'in', canLogOut: session.canLogOut });
      },
      (error: ApiError) => setAccess(error.status === 401 ? { state: 'login' } : { state: 'closed', message: error.message }),
    );
  useEffect(() => {
    whenUnauthorized(() => setAccess({ state: 'login' }));
    void check();
  }, []);

  if (access.state === 'checking') return <Loading />;
  if (access.state === 'closed')
    return (
      <main class="login">
        <ErrorBox message={access.message} />
      </main>
    );
  if (access.state === 'login') return <Login onLoggedIn={check} />;

  const [view = 'overview', id] = route.path;
  const logout = async () => {
    await api.post('logout');
    setCsrfToken(null);
    setAccess({ state: 'login' });
  };
  return (
    <div class="layout">
      <header class="top">
        <a class="brand" href={hrefOf('overview')}>
          csp-observer
        </a>
        <nav aria-label="Main">
          {NAV.map(([path, label]) => (
            <a href={hrefOf(path)} aria-current={view === path ? 'page' : undefined}>
              {label}
            </a>
          ))}
        </nav>
        {access.canLogOut && (
          <button type="button" class="secondary" onClick={logout}>
            Log out
          </button>
        )}
      </header>
      <main class="content">{renderView(view, id, route.params)}</main>
    </div>
  );
}

function renderView(view: string, id: string | undefined, params: Record<string, string>) {
  switch (view) {
    case 'overview':
      return <Overview params={params} />;
    case 'reports':
      return id ? <ReportDetailView id={id} /> : <Reports params={params} />;
    case 'sessions':
      return id ? <SessionDetailView id={id} /> : <Sessions params={params} />;
    case 'rules':
      return <Rules />;
    case 'policy':
      return <PolicyAssistant params={params} />;
    case 'settings':
      return <Settings />;
    default:
      return <ErrorBox message={`No view "${view}".`} />;
  }
}
