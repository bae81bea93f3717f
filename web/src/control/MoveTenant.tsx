/**
 * Moving an organisation to another placement, from the operators' list: a modal dialog asks
 * where to (the placement it is not in, preselected; a cluster, its own when left empty), and
 * closes once the move has started, the focus back on the row's Move button. The page then says
 * where each move it started stands, in a polite live region, asking every second until the move
 * is done or has failed; the row then shows where the organisation is.
 */

import { useEffect, useId, useState } from 'preact/hooks';
import { moveTenant, placementOf, type PlacedTenant, type TenantPlacement } from '../data/operators';
import { describeProblem } from '../errors/describe';
import { t } from '../i18n';
import { SelectField, TextField } from '../ui/Field';
import { useFields } from '../ui/form';
import { FormEnd } from '../ui/FormEnd';
import { useModalDialog, useSubmit } from '../ui/hooks';
import { CLUSTER_NAME_MAX, followMove, initialMove, moveProgress, moveRefusal, moveRequest, type MoveFormValues } from './moves';
import { PLACEMENT_LABEL } from './TenantFilterForm';
import { PLACEMENT_MODES } from './tenantFilters';

/** A move the page started and follows: whose, and where it stood when last read. */
export interface FollowedMove {
  slug: string;
  name: string;
  placement: TenantPlacement;
}

/** The row's button that opens the dialog, named with the organisation; `data-move` finds it
 * again when the dialog closes. */
export function MoveButton({ tenant, onOpen }: { tenant: PlacedTenant; onOpen: (tenant: PlacedTenant) => void }) {
  return (
    <button type="button" class="button button--secondary button--small" data-move={tenant.slug} aria-label={t('operators.move.open_named', { name: tenant.name })} onClick={() => onOpen(tenant)}>
      {t('operators.move.open')}
    </button>
  );
}

/** The focus back on the Move button of the organisation `slug` (the row drawn anew, say). */
export function focusMoveButton(slug: string) {
  const button = Array.from(document.querySelectorAll<HTMLButtonElement>('button[data-move]')).find((b) => b.dataset.move === slug);
  button?.focus();
}

export function MoveDialog({ tenant, onClose, onStarted }: { tenant: PlacedTenant | null; onClose: () => void; onStarted: (move: FollowedMove) => void }) {
  const dialog = useModalDialog(tenant !== null);
  const titleId = useId();
  return (
    <dialog ref={dialog} class="dialog" aria-labelledby={titleId} onClose={onClose}>
      <h2 id={titleId}>{tenant ? t('operators.move.title', { name: tenant.name }) : null}</h2>
      {tenant ? <MoveForm key={tenant.id} tenant={tenant} onClose={onClose} onStarted={onStarted} /> : null}
    </dialog>
  );
}

/** Mounted while the dialog is open: each opening starts from the placement the organisation is
 * not in, on its own cluster. */
function MoveForm({ tenant, onClose, onStarted }: { tenant: PlacedTenant; onClose: () => void; onStarted: (move: FollowedMove) => void }) {
  const form = useFields<MoveFormValues, 'form'>(initialMove(tenant.placement.mode), { editAnswersForm: true });
  const { values, errors } = form;
  const submission = useSubmit();
  const { placement } = tenant;

  const onSubmit = (event: Event) => {
    event.preventDefault();
    form.submit(submission, {
      found: {},
      request: moveRequest(values),
      send: async (request) => {
        const started = await moveTenant(tenant.slug, request);
        onStarted({ slug: tenant.slug, name: tenant.name, placement: started });
        onClose();
      },
      refused: moveRefusal,
    });
  };

  return (
    <div>
      <p>{t('operators.move.now', { placement: t(PLACEMENT_LABEL[placement.mode]), cluster: placement.cluster ?? t('operators.not_placed') })}</p>
      <p class="hint">{t('operators.move.lead')}</p>
      <form ref={form.ref} class="form" onSubmit={onSubmit} noValidate>
        <SelectField
          label={t('operators.move.to')}
          name="mode"
          value={values.mode}
          error={errors.mode}
          onValue={(mode) => form.set('mode')(mode as MoveFormValues['mode'])}
          options={PLACEMENT_MODES.map((mode) => ({ value: mode, label: t(PLACEMENT_LABEL[mode]) }))}
          // The dialog, as it opens, gives it the focus.
          autofocus
        />
        <TextField
          label={t('operators.move.cluster')}
          hint={t('operators.move.cluster_hint')}
          {...form.field('cluster')}
          autocomplete="off"
          autocapitalize="none"
          spellcheck={false}
          maxLength={CLUSTER_NAME_MAX}
        />
        <FormEnd
          formError={errors.form}
          submission={submission}
          overrides={{ conflict: 'operators.move.conflict', forbidden: 'operators.forbidden' }}
          submitLabel={t('operators.move.submit')}
          cancel={{ label: t('operators.move.cancel'), onCancel: onClose }}
        />
      </form>
    </div>
  );
}

/** Where the moves the page started stand, one line each, in a polite live region that is always
 * there (so that each change is read out). `onSettled`: a move is done or has failed, with where
 * the organisation is now. */
export function MoveProgress({ moves, onSettled }: { moves: FollowedMove[]; onSettled: (slug: string, placement: TenantPlacement) => void }) {
  return (
    <div class="move-progress" role="status">
      {moves.map((move) => (
        <MoveLine key={move.placement.move?.id ?? move.slug} move={move} onSettled={onSettled} />
      ))}
    </div>
  );
}

function MoveLine({ move, onSettled }: { move: FollowedMove; onSettled: (slug: string, placement: TenantPlacement) => void }) {
  const [placement, setPlacement] = useState(move.placement);
  const [lost, setLost] = useState<unknown>(null);
  // Followed from the line's first render: a move started anew is a line of its own (its key).
  useEffect(() => {
    const controller = new AbortController();
    void followMove({
      started: move.placement,
      read: (signal) => placementOf(move.slug, signal),
      onProgress: (now) => {
        if (!controller.signal.aborted) setPlacement(now);
      },
      signal: controller.signal,
    }).then((followed) => {
      if (controller.signal.aborted) return;
      if (followed.kind === 'settled') onSettled(move.slug, followed.placement);
      if (followed.kind === 'lost') setLost(followed.error);
    });
    return () => controller.abort();
  }, []);
  const progress = lost === null ? moveProgress(placement) : t('operators.move.lost', { problem: describeProblem(lost) });
  const tone = lost !== null || placement.move?.status === 'failed' ? 'alert--error' : placement.move?.status === 'done' ? 'alert--success' : 'alert--info';
  return <p class={`alert ${tone}`}>{t('operators.move.about', { name: move.name, progress })}</p>;
}
