import type {
  AdminRule,
  AdminRulePreview,
  AdminRuleRequest,
  AdminRulesList,
  AdminRulesUpdateRequest,
  AdminRulesUpdateResult,
  Cause,
  RuleMatchJson,
} from '@csp-observer/core';
import { useEffect, useState } from 'preact/hooks';
import { api, type ApiError } from '../api';
import { CauseBadge, Code, ErrorBox, Loading } from '../components/ui';
import { hrefOf } from '../route';
import { useSites } from '../sites';
import { useData } from '../use-data';

/** The matcher fields the form edits (a rule's other matcher fields are kept as they are). */
type Match = Pick<RuleMatchJson, 'blocked_uri' | 'directive' | 'source_file' | 'sample'> & Partial<RuleMatchJson>;

const CAUSES: readonly Cause[] = ['extension', 'browser', 'malware', 'other'];
const emptyMatch = (): Match => ({ blocked_uri: '', directive: '', source_file: '', sample: '' });
const emptyRule = (): Draft => ({
  id: '',
  cause: 'other',
  title: '',
  short_description: '',
  long_description: '',
  ignore: false,
  match: [emptyMatch()],
  references: [],
  site: null,
});
/** A rule being edited: what POST rules and PUT rules/:id take. */
type Draft = Required<Omit<AdminRuleRequest, 'match'>> & { match: Match[] };

export function Rules() {
  const { data, error, loading, reload } = useData('rules', () => api.get<AdminRulesList>('rules'));
  const [editing, setEditing] = useState<Draft | null>(null);
  const [update, setUpdate] = useState<{ busy: boolean; message: string | null; failed: boolean }>({
    busy: false,
    message: null,
    failed: false,
  });

  const updateNow = async () => {
    setUpdate({ busy: true, message: 'Updating…', failed: false });
    try {
      const result = await api.post<AdminRulesUpdateResult>('rules/update', { force: true } satisfies AdminRulesUpdateRequest);
      setUpdate({ busy: false, message: `${result.status}: ${result.message}`, failed: result.status === 'refused' });
      reload();
    } catch (e) {
      setUpdate({ busy: false, message: (e as Error).message, failed: true });
    }
  };
  const remove = async (rule: AdminRule) => {
    if (!confirm(`Delete the rule "${rule.title}"?`)) return;
    await api.del(`rules/${encodeURIComponent(rule.id)}`);
    reload();
  };

  if (error) return <ErrorBox message={error} />;
  if (loading && !data) return <Loading />;
  if (!data) return null;
  const ignoreRules = [...data.custom, ...data.global].filter((r) => r.ignore);
  return (
    <>
      <header class="view-header">
        <h1>Rules</h1>
      </header>
      <section class="card">
        <h2>Custom rules</h2>
        <p class="muted">
          Your rules come first and survive every update of the global rules. Counts cover the last {data.windowDays} days.
        </p>
        {data.custom.length === 0 && <p class="muted">No custom rules yet.</p>}
        <RuleTable rules={data.custom} onEdit={(rule) => setEditing(rule)} onDelete={remove} testId="custom-rules" />
        {!editing && (
          <button type="button" onClick={() => setEditing(emptyRule())}>
            New rule
          </button>
        )}
        {editing && (
          <RuleForm
            key={editing.id || 'new'}
            initial={editing}
            windowDays={data.windowDays}
            onDone={() => {
              setEditing(null);
              reload();
            }}
          />
        )}
      </section>
      <section class="card">
        <h2>Global rules</h2>
        <p>
          {data.global.length} rules from <Code>{data.state.source || data.source}</Code>, file dated {data.state.lastUpdated ?? 'never'},
          taken {data.state.updatedAt ?? 'never'}.
        </p>
        <p>
          <button type="button" onClick={updateNow} disabled={update.busy}>
            Update now
          </button>{' '}
          {update.message && (
            <span class={update.failed ? 'message-inline error' : 'message-inline'} role="status">
              {update.message}
            </span>
          )}
        </p>
        <details>
          <summary>Show the global rules</summary>
          <RuleTable rules={data.global} testId="global-rules" />
        </details>
      </section>
      <section class="card">
        <h2>Ignore rules</h2>
        <p class="muted">Reports these match are dropped before storage and counted (see the overview's dropped figure).</p>
        <RuleTable rules={ignoreRules} testId="ignore-rules" />
      </section>
    </>
  );
}

function RuleTable({
  rules,
  onEdit,
  onDelete,
  testId,
}: {
  rules: AdminRule[];
  onEdit?: (rule: AdminRule) => void;
  onDelete?: (rule: AdminRule) => void;
  testId: string;
}) {
  if (!rules.length) return null;
  return (
    <div class="table-wrap">
      <table class="list" data-testid={testId}>
        <thead>
          <tr>
            <th>Rule</th>
            <th>Cause</th>
            <th class="num">Reports</th>
            {onEdit && <th />}
          </tr>
        </thead>
        <tbody>
          {rules.map((rule) => (
            <tr key={rule.id}>
              <td>
                <a href={hrefOf('reports', { rule: rule.id })}>{rule.title}</a>
                <div class="muted">
                  <Code>{rule.id}</Code>
                  {rule.site ? ` · ${rule.site} only` : ''}
                  {rule.ignore ? ' · ignore' : ''}
                  {rule.inForce ? '' : ' · not in force'}
                </div>
              </td>
              <td>
                <CauseBadge cause={rule.cause} />
              </td>
              <td class="num">{rule.count}</td>
              {onEdit && (
                <td class="actions">
                  <button type="button" class="secondary" onClick={() => onEdit(rule)}>
                    Edit
                  </button>{' '}
                  <button type="button" class="danger" onClick={() => onDelete?.(rule)}>
                    Delete
                  </button>
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function RuleForm({ initial, windowDays, onDone }: { initial: Draft; windowDays: number; onDone: () => void }) {
  const [draft, setDraft] = useState<Draft>(initial);
  const [preview, setPreview] = useState<AdminRulePreview | null>(null);
  const [previewError, setPreviewError] = useState<string | null>(null);
  const [saveError, setSaveError] = useState<string | null>(null);
  const isNew = !initial.id;
  const sites = useSites();

  // The live preview: asked again 300 ms after the last change.
  useEffect(() => {
    const body = { ...draft, title: draft.title || 'preview' };
    if (!draft.match.some((m) => m.blocked_uri || m.directive || m.source_file || m.sample)) {
      setPreview(null);
      return;
    }
    const timer = setTimeout(() => {
      api.post<AdminRulePreview>('rules/preview', body satisfies AdminRuleRequest).then(
        (result) => {
          setPreview(result);
          setPreviewError(null);
        },
        (error: ApiError) => setPreviewError(error.message),
      );
    }, 300);
    return () => clearTimeout(timer);
  }, [JSON.stringify(draft)]);

  const field = (name: 'title' | 'short_description' | 'long_description') => (event: Event) =>
    setDraft({ ...draft, [name]: (event.currentTarget as HTMLInputElement).value });
  const matchField = (index: number, name: keyof Match) => (event: Event) =>
    setDraft({
      ...draft,
      match: draft.match.map((m, i) => (i === index ? { ...m, [name]: (event.currentTarget as HTMLInputElement).value } : m)),
    });

  const save = async (event: Event) => {
    event.preventDefault();
    setSaveError(null);
    try {
      if (isNew) await api.post('rules', draft satisfies AdminRuleRequest);
      else await api.put(`rules/${encodeURIComponent(initial.id)}`, draft satisfies AdminRuleRequest);
      onDone();
    } catch (e) {
      setSaveError((e as Error).message);
    }
  };

  return (
    <form class="rule-form" onSubmit={save} aria-label={isNew ? 'New rule' : `Edit ${initial.title}`}>
      <h3>{isNew ? 'New rule' : `Edit ${initial.id}`}</h3>
      <label>
        Title
        <input name="title" required maxLength={200} value={draft.title} onInput={field('title')} />
      </label>
      <label>
        Cause
        <select
          name="cause"
          value={draft.cause}
          onChange={(e) => setDraft({ ...draft, cause: (e.currentTarget as HTMLSelectElement).value as Cause })}
        >
          {CAUSES.map((cause) => (
            <option value={cause}>{cause}</option>
          ))}
        </select>
      </label>
      {sites.length > 0 && (
        <label>
          Applies to
          <select
            name="site"
            value={draft.site ?? ''}
            onChange={(e) => setDraft({ ...draft, site: (e.currentTarget as HTMLSelectElement).value || null })}
          >
            <option value="">every site</option>
            {sites.map((site) => (
              <option value={site.id}>{site.id} only</option>
            ))}
          </select>
        </label>
      )}
      <label>
        Short description (shown in the popup)
        <input name="short_description" maxLength={500} value={draft.short_description} onInput={field('short_description')} />
      </label>
      <label>
        Long description (markdown, shown on the scan page)
        <textarea name="long_description" rows={4} value={draft.long_description} onInput={field('long_description')} />
      </label>
      <label class="check">
        <input
          type="checkbox"
          name="ignore"
          checked={draft.ignore}
          onChange={(e) => setDraft({ ...draft, ignore: (e.currentTarget as HTMLInputElement).checked })}
        />
        Ignore: drop matching reports as noise (counted, never stored)
      </label>
      <fieldset>
        <legend>Matches when all of a row's patterns match (rows are alternatives; patterns are regular expressions)</legend>
        {draft.match.map((m, i) => (
          <div class="match-row" key={i}>
            <input
              aria-label={`Blocked URI pattern ${i + 1}`}
              name="blocked_uri"
              placeholder="blocked URI, e.g. ^https://cdn\.example\.com/"
              value={m.blocked_uri}
              onInput={matchField(i, 'blocked_uri')}
            />
            <input
              aria-label={`Directive ${i + 1}`}
              name="directive"
              placeholder="directive, e.g. script-src"
              value={m.directive}
              onInput={matchField(i, 'directive')}
            />
            <input
              aria-label={`Source file pattern ${i + 1}`}
              name="source_file"
              placeholder="source file"
              value={m.source_file}
              onInput={matchField(i, 'source_file')}
            />
            <input
              aria-label={`Sample pattern ${i + 1}`}
              name="sample"
              placeholder="sample"
              value={m.sample}
              onInput={matchField(i, 'sample')}
            />
            {draft.match.length > 1 && (
              <button
                type="button"
                class="secondary"
                onClick={() => setDraft({ ...draft, match: draft.match.filter((_, j) => j !== i) })}
                aria-label={`Remove row ${i + 1}`}
              >
                ×
              </button>
            )}
          </div>
        ))}
        <button type="button" class="secondary" onClick={() => setDraft({ ...draft, match: [...draft.match, emptyMatch()] })}>
          Add a row
        </button>
      </fieldset>
      <div class="preview" role="status" data-testid="rule-preview">
        {previewError ? (
          <span class="error">{previewError}</span>
        ) : preview ? (
          <>
            <strong>
              Would match {preview.matched} of the last {windowDays} days' reports
            </strong>{' '}
            <span class="muted">
              ({preview.scanned} scanned{preview.limited ? ', newest only' : ''}; {preview.unexplainedNow} no rule explains today)
            </span>
            {preview.examples.length > 0 && (
              <ul>
                {preview.examples.map((example) => (
                  <li key={example.id}>
                    <a href={hrefOf(`reports/${example.id}`)}>{example.effectiveDirective}</a> <Code>{example.blockedUri}</Code>
                  </li>
                ))}
              </ul>
            )}
          </>
        ) : (
          <span class="muted">Fill in a pattern to see what the rule would match.</span>
        )}
      </div>
      {saveError && <ErrorBox message={saveError} />}
      <div class="form-actions">
        <button type="submit">{isNew ? 'Create rule' : 'Save rule'}</button>
        <button type="button" class="secondary" onClick={onDone}>
          Cancel
        </button>
      </div>
    </form>
  );
}
