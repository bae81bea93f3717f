/**
 * The organisation's macros (owners and admins): a form to add one, and the list, each macro
 * changed in place or deleted after a confirmation in place. Agents apply them from a ticket's
 * page (`../ticket/MacroPicker.tsx`).
 */

import { useId } from 'preact/hooks';
import { createMacro, deleteMacro, listMacros, updateMacro, type Macro } from '../../data/macros';
import { useResource } from '../../data/resource';
import { formatDateTime, t, tn } from '../../i18n';
import { useMember } from '../../tenant/member';
import { useSubmit } from '../../ui/hooks';
import { RowActions, useRowModes } from '../../ui/RowActions';
import { Page } from '../../ui/Page';
import { ErrorAlert } from '../../ui/status';
import { MacroEffects } from '../MacroEffects';
import { EMPTY_MACRO, formValues } from '../macros';
import { MacroForm } from './MacroForm';
import { Panel } from '../../ui/Panel';
import { ListPanel, useCreations } from '../../ui/ListPanel';

export function MacrosPage() {
  const { slug } = useMember();
  const macros = useResource(`macros:${slug}`, listMacros);
  const { notice, setNotice, round, created } = useCreations();
  return (
    <Page title={t('macros.title')}>
      <p class="lead">{t('macros.lead')}</p>
      <Panel title={t('macros.new')}>
        <MacroForm
          key={round}
          initial={EMPTY_MACRO}
          submitLabel={t('macros.form.create')}
          onSave={async (request) => {
            const made = await createMacro(request);
            created(t('macros.created', { name: made.name }));
            await macros.refresh();
          }}
        />
      </Panel>
      <ListPanel title={t('macros.list')} notice={notice} resource={macros} empty={t('macros.empty')} count={(n) => tn('macros.count', n)}>
        {(list) =>
          list.map((macro) => (
            <MacroRow
              key={macro.id}
              macro={macro}
              onChanged={async (text) => {
                setNotice(text);
                await macros.refresh();
              }}
            />
          ))
        }
      </ListPanel>
    </Page>
  );
}

function MacroRow({ macro, onChanged }: { macro: Macro; onChanged: (notice: string) => Promise<void> }) {
  const modes = useRowModes('input[name="name"]');
  const submission = useSubmit();
  const id = useId();
  const remove = () =>
    void submission.run(async () => {
      await deleteMacro(macro.id);
      modes.deleted();
      await onChanged(t('macros.deleted', { name: macro.name }));
    });
  return (
    <li class="integration" aria-labelledby={id} ref={modes.row}>
      <div class="integration-head">
        <strong id={id}>{macro.name}</strong>
        {macro.body?.trim() ? <span class={macro.is_internal ? 'badge badge--warn' : 'badge'}>{macro.is_internal ? t('macros.kind_note') : t('macros.kind_reply')}</span> : null}
      </div>
      {modes.editing ? (
        <MacroForm
          initial={formValues(macro)}
          submitLabel={t('macros.form.save')}
          onCancel={modes.shown}
          onSave={async (request) => {
            const saved = await updateMacro(macro.id, request);
            modes.shown();
            await onChanged(t('macros.saved', { name: saved.name }));
          }}
        />
      ) : (
        <>
          <MacroEffects macro={macro} />
          <p class="hint">{t('macros.changed', { time: formatDateTime(macro.updated_at) })}</p>
          <RowActions
            modes={modes}
            busy={submission.busy}
            onDelete={remove}
            labels={{
              edit: t('macros.edit'),
              editNamed: t('macros.edit_named', { name: macro.name }),
              delete: t('macros.delete'),
              deleteNamed: t('macros.delete_named', { name: macro.name }),
              confirm: t('macros.delete_confirm', { name: macro.name }),
              yes: t('macros.delete_yes', { name: macro.name }),
              cancel: t('macros.form.cancel'),
            }}
          />
        </>
      )}
      <ErrorAlert error={submission.error} />
    </li>
  );
}
