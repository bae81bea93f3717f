/**
 * The organisation's ticket fields (owners and admins): a form to add one, and the list in the
 * order tickets show them (each field's key, type, options and who needs it), each field changed
 * in place (never its key or type) or deleted after a confirmation in place. Staff fill the
 * fields in from a ticket's page (`../ticket/FieldsControl.tsx`); customers, the ones made for
 * them, as they open a ticket.
 */

import { useId } from 'preact/hooks';
import { changeField, createField, fieldsChanged, removeField, type FieldDefinition } from '../../data/fields';
import { t, tn } from '../../i18n';
import { TYPE_LABEL, fieldName, hasOptions, labelIn } from '../../tickets/fields';
import { useFieldDefinitions } from '../../tickets/useFieldDefinitions';
import { useSubmit } from '../../ui/hooks';
import { RowActions, useRowModes } from '../../ui/RowActions';
import { Page } from '../../ui/Page';
import { ErrorAlert } from '../../ui/status';
import { EMPTY_FIELD, fieldChange, fieldFormValues } from '../fields';
import { FieldForm } from './FieldForm';
import { Panel } from '../../ui/Panel';
import { ListPanel, useCreations } from '../../ui/ListPanel';

export function FieldsPage() {
  const fields = useFieldDefinitions();
  const { notice, setNotice, round, created } = useCreations();
  return (
    <Page title={t('fields.title')}>
      <p class="lead">{t('fields.lead')}</p>
      <Panel title={t('fields.new')}>
        <FieldForm
          key={round}
          initial={EMPTY_FIELD}
          submitLabel={t('fields.form.create')}
          onSave={async (request) => {
            const made = await createField(request);
            created(t('fields.created', { name: fieldName(made) }));
            // The list here and every other view read them again.
            fieldsChanged();
          }}
        />
      </Panel>
      <ListPanel title={t('fields.list')} notice={notice} resource={fields} empty={t('fields.empty')} count={(n) => tn('fields.count', n)}>
        {(list) =>
          list.map((field) => (
            <FieldRow
              key={field.key}
              field={field}
              onChanged={(text) => {
                setNotice(text);
                fieldsChanged();
              }}
            />
          ))
        }
      </ListPanel>
    </Page>
  );
}

function FieldRow({ field, onChanged }: { field: FieldDefinition; onChanged: (notice: string) => void }) {
  const modes = useRowModes('input[name="label.en"]');
  const submission = useSubmit();
  const id = useId();
  const name = fieldName(field);
  const remove = () =>
    void submission.run(async () => {
      await removeField(field.key);
      modes.deleted();
      onChanged(t('fields.deleted', { name }));
    });
  const audience = field.editable_by_customer ? 'fields.fact.customers_edit' : field.visible_to_customer ? 'fields.fact.customers_see' : 'fields.fact.customers_none';
  return (
    <li class="integration field-item" aria-labelledby={id} ref={modes.row}>
      <div class="integration-head">
        <strong id={id}>{name}</strong>
        <span class="badge">{t(TYPE_LABEL[field.type])}</span>
        {field.required_to_resolve ? <span class="badge badge--warn">{t('fields.fact.required')}</span> : null}
      </div>
      {modes.editing ? (
        <FieldForm
          initial={fieldFormValues(field)}
          field={field}
          submitLabel={t('fields.form.save')}
          onCancel={modes.shown}
          onSave={async (request) => {
            const change = fieldChange(field, request);
            const changed = Object.keys(change).length > 0;
            const saved = changed ? await changeField(field.key, change) : field;
            modes.shown();
            onChanged(changed ? t('fields.saved', { name: fieldName(saved) }) : t('fields.form.unchanged'));
          }}
        />
      ) : (
        <>
          <dl class="facts">
            <div>
              <dt>{t('fields.fact.key')}</dt>
              <dd>
                <code>{field.key}</code>
              </dd>
            </div>
            {field.label.fr ? (
              <div>
                <dt>{t('fields.fact.label_fr')}</dt>
                <dd lang="fr">{field.label.fr}</dd>
              </div>
            ) : null}
            <div>
              <dt>{t('fields.fact.customers')}</dt>
              <dd>{t(audience)}</dd>
            </div>
          </dl>
          {hasOptions(field.type) ? (
            <ul class="chips" aria-label={t('fields.options_of', { name })}>
              {field.options.map((option) => (
                <li key={option.value} class="badge">
                  {labelIn(option.label)}
                  {labelIn(option.label) !== option.value ? <span class="option-value"> ({option.value})</span> : null}
                </li>
              ))}
            </ul>
          ) : null}
          <RowActions
            modes={modes}
            busy={submission.busy}
            onDelete={remove}
            labels={{
              edit: t('fields.edit'),
              editNamed: t('fields.edit_named', { name: name }),
              delete: t('fields.delete'),
              deleteNamed: t('fields.delete_named', { name: name }),
              confirm: t('fields.delete_confirm', { name: name }),
              yes: t('fields.delete_yes', { name: name }),
              cancel: t('fields.form.cancel'),
            }}
          />
        </>
      )}
      <ErrorAlert error={submission.error} />
    </li>
  );
}
