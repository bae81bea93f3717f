/** Never a blank screen: a rendering error shows a way out instead of an empty page. */

import { Component, type ComponentChildren } from 'preact';
import { t } from '../i18n';

export class ErrorBoundary extends Component<{ children: ComponentChildren }, { failed: boolean }> {
  override state = { failed: false };

  static override getDerivedStateFromError(): { failed: boolean } {
    return { failed: true };
  }

  override componentDidCatch(error: unknown): void {
    console.error(error);
  }

  override render() {
    if (!this.state.failed) return this.props.children;
    return (
      <div class="panel" role="alert">
        <h1>{t('common.crash.title')}</h1>
        <p>{t('common.crash.body')}</p>
        <button type="button" class="button" onClick={() => window.location.reload()}>
          {t('common.crash.reload')}
        </button>
      </div>
    );
  }
}
