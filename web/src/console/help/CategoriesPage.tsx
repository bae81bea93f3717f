/**
 * The help center's categories (owners and admins): a form to add one (its English name, a
 * French one if it differs, its place in the list), and the list by position, each renamed in
 * place or deleted after a confirmation in place (its articles stay, without a category).
 */

import { useId } from 'preact/hooks';
import { ApiProblem } from '../../api/problem';
import { createCategory, deleteCategory, updateCategory, type Category } from '../../data/helpCenter';
import { getLocale, t, tn } from '../../i18n';
import { BilingualFields, TextField } from '../../ui/Field';
import { translated, useFields } from '../../ui/form';
import { FormEnd } from '../../ui/FormEnd';
import { useSubmit } from '../../ui/hooks';
import { Page } from '../../ui/Page';
import { RowActions, useRowModes } from '../../ui/RowActions';
import { ErrorAlert } from '../../ui/status';
import {
  CATEGORY_NAME_MAX,
  EMPTY_CATEGORY,
  categoryChanges,
  categoryErrorField,
  categoryFormValues,
  categoryName,
  checkCategory,
  newCategoryRequest,
  type CategoryField,
  type CategoryFormValues,
} from '../helpCenter';
import { useCategories } from './useCategories';
import { Panel } from '../../ui/Panel';
import { BilingualFacts } from '../../ui/BilingualFacts';
import { ListPanel, useCreations } from '../../ui/ListPanel';

export function CategoriesPage() {
  const categories = useCategories();
  const { notice, setNotice, round, created } = useCreations();
  return (
    <Page title={t('help.categories.title')}>
      <p class="lead">{t('help.categories.lead')}</p>
      <Panel title={t('help.categories.new')}>
        <CategoryForm
          key={round}
          initial={EMPTY_CATEGORY}
          submitLabel={t('help.categories.form.create')}
          onSave={async (values) => {
            const made = await createCategory(newCategoryRequest(values));
            created(t('help.categories.created', { name: categoryName(made, getLocale()) }));
            await categories.refresh();
          }}
        />
      </Panel>
      <ListPanel title={t('help.categories.list')} notice={notice} resource={categories} empty={t('help.categories.empty')} count={(n) => tn('help.categories.count', n)}>
        {(list) =>
          list.map((category) => (
            <CategoryRow
              key={category.id}
              category={category}
              onChanged={async (text) => {
                setNotice(text);
                await categories.refresh();
              }}
            />
          ))
        }
      </ListPanel>
    </Page>
  );
}

function CategoryRow({ category, onChanged }: { category: Category; onChanged: (notice: string) => Promise<void> }) {
  const modes = useRowModes('input[name="name_en"]');
  const submission = useSubmit();
  const id = useId();
  const name = categoryName(category, getLocale());
  const remove = () =>
    void submission.run(async () => {
      await deleteCategory(category.id);
      modes.deleted();
      await onChanged(t('help.categories.deleted', { name }));
    });
  return (
    <li class="integration" aria-labelledby={id} ref={modes.row}>
      <div class="integration-head">
        <strong id={id}>{name}</strong>
        <span class="badge">{t('help.categories.position', { position: category.position })}</span>
      </div>
      {modes.editing ? (
        <CategoryForm
          initial={categoryFormValues(category)}
          submitLabel={t('help.categories.form.save')}
          onCancel={modes.shown}
          onSave={async (values) => {
            const changes = categoryChanges(category, values);
            const saved = Object.keys(changes).length ? await updateCategory(category.id, changes) : category;
            modes.shown();
            await onChanged(t('help.categories.saved', { name: categoryName(saved, getLocale()) }));
          }}
        />
      ) : (
        <>
          <dl class="help-names">
            <BilingualFacts labels={{ en: t('help.categories.form.en'), fr: t('help.categories.form.fr') }} values={category.name} noFrench={t('help.categories.no_french')} />
          </dl>
          <RowActions
            modes={modes}
            busy={submission.busy}
            onDelete={remove}
            labels={{
              edit: t('help.categories.rename'),
              editNamed: t('help.categories.rename_named', { name }),
              delete: t('help.categories.delete'),
              deleteNamed: t('help.categories.delete_named', { name }),
              confirm: t('help.categories.delete_confirm', { name }),
              yes: t('help.categories.delete_yes', { name }),
              cancel: t('help.categories.form.cancel'),
            }}
          />
        </>
      )}
      <ErrorAlert error={submission.error} />
    </li>
  );
}

function CategoryForm({
  initial,
  submitLabel,
  onSave,
  onCancel,
}: {
  initial: CategoryFormValues;
  submitLabel: string;
  onSave: (values: CategoryFormValues) => Promise<void>;
  onCancel?: () => void;
}) {
  const form = useFields<CategoryFormValues, 'form'>(initial);
  const { values, errors } = form;
  const submission = useSubmit();
  const onSubmit = (event: Event) => {
    event.preventDefault();
    form.submit(submission, {
      found: translated(checkCategory(values)),
      request: values,
      send: onSave,
      refused: (error) => {
        const found: Partial<Record<CategoryField | 'form', string>> = {};
        if (!(error instanceof ApiProblem)) return found;
        const other: string[] = [];
        for (const e of error.errors) {
          const field = categoryErrorField(e.field);
          if (field) found[field] ??= e.message;
          else other.push(e.message);
        }
        if (other.length) found.form = other.join(' ');
        return found;
      },
    });
  };
  return (
    <form ref={form.ref} class="form category-form" onSubmit={onSubmit} noValidate>
      <BilingualFields
        form={form}
        names={{ en: 'name_en', fr: 'name_fr' }}
        labels={{ en: t('help.categories.form.en'), fr: t('help.categories.form.fr_optional') }}
        frHint={t('help.categories.form.fr_hint')}
        maxLength={CATEGORY_NAME_MAX}
      />
      <TextField
        label={t('help.categories.form.position')}
        hint={t('help.categories.form.position_hint')}
        {...form.field('position')}
        inputMode="numeric"
        autocomplete="off"
      />
      <FormEnd
        formError={errors.form}
        submission={submission}
        overrides={{ limit_reached: 'help.categories.form.limit' }}
        submitLabel={submitLabel}
        cancel={{ label: t('help.categories.form.cancel'), onCancel }}
      />
    </form>
  );
}
