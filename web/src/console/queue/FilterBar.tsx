/**
 * Search and filters of the queue. Each change is a new address, so a filtered queue can be
 * bookmarked, shared with a colleague, or saved here by name as a view the server keeps (owners
 * and admins may share it with the whole team). The tag filter is typed (with the tags in use
 * suggested) and applied on Enter or when the field is left.
 */

import { useEffect, useId, useState } from 'preact/hooks';
import { ApiProblem } from '../../api';
import { createView, viewsChanged, type NewView } from '../../data/views';
import { describeProblem } from '../../errors/describe';
import { t } from '../../i18n';
import { categoryName, offeredCategories } from '../../tickets/categories';
import { useTicketCategories } from '../../tickets/useTicketCategories';
import { SelectField, TextField } from '../../ui/Field';
import { useFields } from '../../ui/form';
import { required } from '../../ui/validate';
import { Notice } from '../../ui/status';
import { useSubmit } from '../../ui/hooks';
import { STATUS_LABEL } from '../../tickets/badges';
import { usePeople } from '../people';
import type { Team } from '../../data/teams';
import { isTag, normaliseTag } from '../tags';
import { useTagSuggestions } from '../useTagSuggestions';
import { viewOfQueue } from './saved';
import { PRIORITIES, SLA_FILTERS, SORTS, STATUS_FILTERS, type QueueState, type SlaFilter, type Sort, type StatusFilter } from './views';
import type { MessageKey } from '../../i18n';
import { SearchForm } from '../../ui/SearchForm';

const SLA_LABEL: Record<SlaFilter, MessageKey> = { breached: 'console.filter.sla_breached', at_risk: 'console.filter.sla_at_risk' };
const SORT_LABEL: Record<Sort, MessageKey> = { newest: 'console.filter.sort_newest', oldest: 'console.filter.sort_oldest' };

function statusLabel(filter: StatusFilter): string {
  if (filter === 'active') return t('console.filter.status_active');
  if (filter === 'any') return t('console.filter.status_any');
  return t(STATUS_LABEL[filter]);
}

export function FilterBar({ state, admin, me, onChange, teams }: { state: QueueState; admin: boolean; me: string; onChange: (next: QueueState) => void; teams: Team[] }) {
  const people = usePeople();
  const categories = useTicketCategories().data ?? [];

  return (
    <div class="filters">
      <SearchForm query={state.q} label={t('console.filter.search')} hint={t('console.filter.search_hint')} submitLabel={t('console.filter.search_submit')} onSearch={(q) => onChange({ ...state, q })} />
      <div class="filter-fields">
        <SelectField
          label={t('console.filter.status')}
          name="status"
          value={state.status}
          onValue={(v) => onChange({ ...state, status: v as StatusFilter })}
          options={STATUS_FILTERS.map((s) => ({ value: s, label: statusLabel(s) }))}
        />
        <SelectField
          label={t('console.filter.priority')}
          name="priority"
          value={state.priority}
          onValue={(v) => onChange({ ...state, priority: v as QueueState['priority'] })}
          options={[{ value: '', label: t('console.filter.any_priority') }, ...PRIORITIES.map((p) => ({ value: p, label: t(`priority.${p}`) }))]}
        />
        <SelectField
          label={t('console.filter.category')}
          name="category"
          value={state.category}
          onValue={(v) => onChange({ ...state, category: v })}
          options={[
            { value: '', label: t('console.filter.any_category') },
            ...offeredCategories(categories).map((c) => ({ value: c.key, label: categoryName(c) })),
            // Archived ones last: their tickets keep them.
            ...categories.filter((c) => c.archived).map((c) => ({ value: c.key, label: t('categories.archived_name', { name: categoryName(c) }) })),
            // A category the list does not hold stays chosen as it is in the address.
            ...(state.category && !categories.some((c) => c.key === state.category) ? [{ value: state.category, label: state.category }] : []),
          ]}
        />
        <SelectField
          label={t('console.filter.sla')}
          name="sla"
          value={state.sla}
          onValue={(v) => onChange({ ...state, sla: v as QueueState['sla'] })}
          options={[{ value: '', label: t('console.filter.sla_any') }, ...SLA_FILTERS.map((f) => ({ value: f, label: t(SLA_LABEL[f]) }))]}
        />
        <SelectField
          label={t('console.filter.sort')}
          name="sort"
          value={state.sort}
          onValue={(v) => onChange({ ...state, sort: v as Sort })}
          options={SORTS.map((s) => ({ value: s, label: t(SORT_LABEL[s]) }))}
        />
        {teams.length || state.team ? (
          <SelectField
            label={t('teams.filter.label')}
            name="team_id"
            value={state.team}
            onValue={(v) => onChange({ ...state, team: v })}
            options={[
              { value: '', label: t('teams.filter.any') },
              { value: 'none', label: t('teams.filter.none') },
              ...teams.map((team) => ({ value: team.id, label: team.name })),
              // A team not (or no longer) known here stays chosen as it is in the address.
              ...(state.team && state.team !== 'none' && !teams.some((team) => team.id === state.team) ? [{ value: state.team, label: t('teams.ticket.unknown') }] : []),
            ]}
          />
        ) : null}
        <TagFilter state={state} onChange={onChange} />
        {admin && state.view === 'all' ? (
          <SelectField
            label={t('console.filter.assignee')}
            name="assignee"
            value={state.assignee}
            onValue={(v) => onChange({ ...state, assignee: v })}
            onFocus={people.refresh}
            options={[{ value: '', label: t('console.filter.anyone') }, ...people.staff.map((p) => ({ value: p.id, label: p.name }))]}
          />
        ) : null}
      </div>
      <SaveFilter state={state} me={me} canShare={admin} />
    </div>
  );
}

/** One tag the tickets hold (`tag` in the address and for the API); empty for any. What is not
 * a tag is said beside the field, and the queue stays as it was. */
function TagFilter({ state, onChange }: { state: QueueState; onChange: (next: QueueState) => void }) {
  const [typed, setTyped] = useState(state.tag);
  useEffect(() => setTyped(state.tag), [state.tag]);
  const [error, setError] = useState('');
  const [wanted, setWanted] = useState(false);
  const offered = useTagSuggestions(typed, wanted);
  const listId = useId();
  const apply = () => {
    const tag = normaliseTag(typed);
    if (tag && !isTag(tag)) {
      setError(t('tags.invalid', { tag: typed.trim() }));
      return;
    }
    setError('');
    setTyped(tag);
    if (tag !== state.tag) onChange({ ...state, tag });
  };
  return (
    <form
      class="tag-filter"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        apply();
      }}
    >
      <TextField
        label={t('tags.filter.label')}
        name="tag"
        value={typed}
        hint={t('tags.filter.hint')}
        error={error || undefined}
        list={listId}
        autocomplete="off"
        spellcheck={false}
        onFocus={() => setWanted(true)}
        onBlur={() => {
          if (normaliseTag(typed) !== state.tag) apply();
        }}
        onValue={(value) => {
          setTyped(value);
          setError('');
        }}
      />
      <datalist id={listId}>
        {offered.map((tag) => (
          <option key={tag.name} value={tag.name} />
        ))}
      </datalist>
    </form>
  );
}

/** Saves the queue shown as a view (`POST /v1/views`); `canShare`: owners and admins, who may
 * share it with the whole team. The server's refusals (a name, a filter, too many views) are
 * said beside the name. */
function SaveFilter({ state, me, canShare }: { state: QueueState; me: string; canShare: boolean }) {
  const form = useFields({ name: '', shared: false });
  const submission = useSubmit();
  const [done, setDone] = useState('');
  const shareId = useId();
  return (
    <details class="save-filter">
      <summary>{t('console.saved.open')}</summary>
      <form
        ref={form.ref}
        class="form form--inline"
        onSubmit={(e) => {
          e.preventDefault();
          const name = form.values.name.trim();
          const shared = canShare && form.values.shared;
          if (!form.check({ name: [required] })) return;
          void submission.run(async () => {
            const { filters, sort } = viewOfQueue(state, me);
            const body: NewView = { name, filters: filters as NewView['filters'], sort, ...(shared ? { shared } : {}) };
            try {
              await createView(body);
            } catch (error) {
              form.show({ name: refusal(error) });
              return;
            }
            viewsChanged();
            setDone(t(shared ? 'console.saved.done_shared' : 'console.saved.done', { name }));
            form.setValues({ name: '', shared: false });
          });
        }}
        noValidate
      >
        <TextField
          label={t('console.saved.name')}
          name="name"
          value={form.values.name}
          maxLength={100}
          error={form.errors.name}
          onValue={(value) => {
            form.set('name')(value);
            setDone('');
          }}
        />
        {canShare ? (
          <div class="checkbox">
            <input id={shareId} type="checkbox" name="shared" checked={form.values.shared} onChange={(e) => form.set('shared')(e.currentTarget.checked)} />
            <label for={shareId}>{t('console.saved.share')}</label>
          </div>
        ) : null}
        <button type="submit" class="button button--secondary" disabled={submission.busy}>
          {t('console.saved.submit')}
        </button>
      </form>
      {done ? <Notice tone="success">{done}</Notice> : null}
    </details>
  );
}

/** Why the server refused a view, said beside its name: the message of a field error (`name`, or
 * `filters.<name>`), or the problem in words (`limit_reached`, `forbidden`, the network...). */
function refusal(error: unknown): string {
  if (error instanceof ApiProblem) {
    const field = error.errors.find((e) => e.field === 'name') ?? error.errors[0];
    if (field?.message) return field.message;
  }
  return describeProblem(error);
}
