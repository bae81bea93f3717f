/** Live messages and the states every view has: loading, failed, empty. */

import type { ComponentChildren } from 'preact';
import { describeProblem, type Overrides } from '../errors/describe';
import { t } from '../i18n';

export function Loading({ label }: { label?: string }) {
  return (
    <p class="loading" role="status">
      <span class="spinner" aria-hidden="true" />
      {label ?? t('common.loading')}
    </p>
  );
}

/** A failure, announced at once; with a way to try again when there is one. Nothing while there
 * is no failure (`error` null or undefined), so a form shows its submission's failure as is. */
export function ErrorAlert({ error, overrides, onRetry }: { error: unknown; overrides?: Overrides; onRetry?: () => void }) {
  if (error === null || error === undefined) return null;
  return (
    <div class="alert alert--error" role="alert">
      <p>{describeProblem(error, overrides)}</p>
      {onRetry ? (
        <button type="button" class="button button--secondary" onClick={onRetry}>
          {t('common.retry')}
        </button>
      ) : null}
    </div>
  );
}

/** A polite announcement (saved, copied, ...). */
export function Notice({ children, tone = 'info' }: { children: ComponentChildren; tone?: 'info' | 'success' }) {
  return (
    <div class={`alert alert--${tone}`} role="status">
      {children}
    </div>
  );
}

export function EmptyState({ title, children }: { title: string; children?: ComponentChildren }) {
  return (
    <div class="empty">
      <p class="empty-title">{title}</p>
      {children}
    </div>
  );
}

/** What a loading hook holds (`useResource`, `useLive`; `usePaged` names its data `listing`). */
export type Loadable<T> = { error: unknown; loading: boolean; reload: () => void } & ({ data: T | undefined } | { listing: T | undefined });

export interface LoadedProps<T> {
  resource: Loadable<T>;
  /** The data held nothing to show: the empty state's title, or `false`. */
  empty?: (data: T) => string | false;
  /** How the failure of the first load is worded. */
  overrides?: Overrides;
  loadingLabel?: string;
  /** Shown while loading when there is no data yet, in place of the spinner (`null`: nothing). */
  placeholder?: ComponentChildren;
  children: (data: T) => ComponentChildren;
}

/** The states of what loads, in one place: the first load's failure (with Retry), the spinner
 * until there is data, the empty state, or the data shown by `children`. The last data stays on
 * screen while the next key loads. */
export function Loaded<T>({ resource, empty, overrides, loadingLabel, placeholder, children }: LoadedProps<T>) {
  const data = 'listing' in resource ? resource.listing : resource.data;
  const emptyTitle = data !== undefined && empty ? empty(data) : false;
  return (
    <>
      <ErrorAlert error={resource.error} overrides={overrides} onRetry={resource.reload} />
      {data === undefined && !resource.error && resource.loading ? placeholder !== undefined ? placeholder : <Loading label={loadingLabel} /> : null}
      {data === undefined ? null : emptyTitle !== false ? <EmptyState title={emptyTitle} /> : children(data)}
    </>
  );
}

/** The way to the next page of a list: the last attempt's failure (with Retry, unless `retry` is
 * false), then the button that loads the page while there is one (`onMore` null: none left),
 * saying `busyLabel` (Loading...) while it loads. */
export function LoadMore({
  more,
  label,
  onMore,
  retry = true,
  busyLabel = t('common.loading'),
}: {
  more: { busy: boolean; error: unknown };
  label: string;
  onMore: (() => void) | null;
  retry?: boolean;
  busyLabel?: string;
}) {
  return (
    <>
      <ErrorAlert error={more.error} onRetry={retry && onMore ? onMore : undefined} />
      {onMore ? (
        <button type="button" class="button button--secondary" onClick={onMore} disabled={more.busy}>
          {more.busy ? busyLabel : label}
        </button>
      ) : null}
    </>
  );
}

/** What a link from mail did as the page opened: working on it, what it did (`children`, as a
 * success), the link refused (`refused`: its own words, nothing to retry), or another failure
 * (with Retry); then, once it has answered, where to go next (`next`). */
export function LinkOutcome<T>({
  outcome,
  working,
  refused,
  next,
  children,
}: {
  outcome: { data: T | undefined; error: unknown; loading: boolean; reload: () => void };
  working: string;
  refused: string | null;
  next: ComponentChildren;
  children: (data: T) => ComponentChildren;
}) {
  return (
    <>
      {outcome.loading ? <Loading label={working} /> : null}
      {outcome.data !== undefined ? <Notice tone="success">{children(outcome.data)}</Notice> : null}
      {refused !== null ? (
        <div class="alert alert--error" role="alert">
          <p>{refused}</p>
        </div>
      ) : (
        <ErrorAlert error={outcome.error} onRetry={outcome.reload} />
      )}
      {outcome.loading ? null : <p>{next}</p>}
    </>
  );
}
