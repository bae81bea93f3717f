/**
 * The button beside a view's heading that deletes it (`DELETE /v1/views/{id}`), after a
 * confirmation in place, as a team is deleted: the queue stays on screen, only the view goes.
 */

import { useState } from 'preact/hooks';
import { removeView, viewsChanged, type View } from '../../data/views';
import { t } from '../../i18n';
import { useFocusAfterRender, useSubmit } from '../../ui/hooks';
import { ErrorAlert } from '../../ui/status';

export function DeleteView({ view, onDeleted }: { view: View; onDeleted: (notice: string) => void }) {
  const [confirming, setConfirming] = useState(false);
  const submission = useSubmit();
  // Where focus goes once the control that had it is gone.
  const { container: box, focusAfter } = useFocusAfterRender<HTMLDivElement>();
  const show = (next: boolean, focus: string) => {
    focusAfter(focus);
    setConfirming(next);
    submission.clear();
  };
  const remove = () =>
    void submission.run(async () => {
      await removeView(view.id);
      onDeleted(t('console.saved.deleted', { name: view.name }));
      viewsChanged();
    });
  return (
    <div class="delete-view" ref={box}>
      {confirming ? (
        <div class="actions">
          <span>{t(view.shared ? 'console.saved.delete_confirm_shared' : 'console.saved.delete_confirm', { name: view.name })}</span>
          <button type="button" class="button button--danger" data-action="delete-yes" disabled={submission.busy} onClick={remove}>
            {t('console.saved.delete_yes', { name: view.name })}
          </button>
          <button type="button" class="button button--secondary" onClick={() => show(false, '[data-action="delete"]')}>
            {t('console.saved.cancel')}
          </button>
        </div>
      ) : (
        <button type="button" class="button button--secondary" data-action="delete" aria-label={t('console.saved.delete_named', { name: view.name })} onClick={() => show(true, '[data-action="delete-yes"]')}>
          {t('console.saved.delete')}
        </button>
      )}
      <ErrorAlert error={submission.error} />
    </div>
  );
}
