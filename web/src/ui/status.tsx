//! Live messages and the states every view has: loading, failed, empty.

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

/** A failure, announced at once; with a way to try again when there is one. */
export function ErrorAlert({ error, overrides, onRetry }: { error: unknown; overrides?: Overrides; onRetry?: () => void }) {
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
