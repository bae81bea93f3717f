/**
 * The organisation's ticket categories (owners and admins): a form to add one (its key, its
 * English label, a French one if it differs), the offered ones in the order customers see them,
 * each renamed in place, moved up or down, or archived, and the archived ones apart, each
 * renamed or restored. A category is never deleted: the tickets that hold one keep it. Focus
 * follows the category a change moved: to its button in its new place.
 */

import { useId, useState } from 'preact/hooks';
import { ApiProblem } from '../../api';
import { categoriesChanged, changeTicketCategory, createTicketCategory, type TicketCategory } from '../../data/categories';
import type { FieldLabel } from '../../data/fields';
import type { Resource } from '../../data/resource';
import { t, tn } from '../../i18n';
import { categoryName, offeredCategories } from '../../tickets/categories';
import { useTicketCategories } from '../../tickets/useTicketCategories';
import { BilingualFields, TextField } from '../../ui/Field';
import { refusedFields, translated, useFields } from '../../ui/form';
import { FormEnd } from '../../ui/FormEnd';
import { useFocusAfterRender, useSubmit } from '../../ui/hooks';
import { Page } from '../../ui/Page';
import { MoveButtons, useRowModes } from '../../ui/RowActions';
import { ErrorAlert, Loaded, Notice } from '../../ui/status';
import {
  CATEGORY_KEY_MAX,
  CATEGORY_LABEL_MAX,
  EMPTY_CATEGORY_FORM,
  categoryErrorOf,
  categoryFormValues,
  checkCategoryForm,
  labelChange,
  movedPositions,
  newCategoryRequest,
  withCategories,
  type CategoryFormValues,
} from '../categories';
import { moveFocus } from '../policies';
import { Panel } from '../../ui/Panel';
import { BilingualFacts } from '../../ui/BilingualFacts';

/** What every row needs: the offered list (a move renumbers it), and how a change is kept. */
interface Context {
  offered: TicketCategory[];
  /** Shows the categories the server answered, tells the other views, says what was done and
   * moves the focus (a selector within the page). */
  done: (changed: TicketCategory[], notice: string, focus: string) => void;
}

/** The row of category `key`, for focus selectors. */
const row = (key: string) => `[data-key="${key}"]`;

export function TicketCategoriesPage() {
  const categories = useTicketCategories();
  const [notice, setNotice] = useState('');
  // A new form after each creation, emptied.
  const [round, setRound] = useState(0);
  const { container, focusAfter } = useFocusAfterRender<HTMLDivElement>();
  const done: Context['done'] = (changed, text, focus) => {
    categories.setData((list) => withCategories(list ?? [], changed));
    setNotice(text);
    focusAfter(focus);
    // The other views (and this one's next reading) ask the server again.
    categoriesChanged();
  };
  return (
    <Page title={t('categories.title')}>
      <div ref={container}>
        <p class="lead">{t('categories.lead')}</p>
        <Panel title={t('categories.new')}>
          <CategoryForm
            key={round}
            initial={EMPTY_CATEGORY_FORM}
            submitLabel={t('categories.form.create')}
            onSave={async (values, label) => {
              const made = await createTicketCategory(newCategoryRequest(values, label));
              setRound((n) => n + 1);
              done([made], t('categories.created', { name: categoryName(made) }), 'input[name="key"]');
            }}
          />
        </Panel>
        {notice ? <Notice tone="success">{notice}</Notice> : null}
        <Lists categories={categories} done={done} />
      </div>
    </Page>
  );
}

function Lists({ categories, done }: { categories: Resource<TicketCategory[]>; done: Context['done'] }) {
  return (
    <Loaded resource={categories}>
      {(list) => {
        const offered = offeredCategories(list);
        const archived = list.filter((category) => category.archived);
        const context: Context = { offered, done };
        return (
          <>
            <Panel title={t('categories.offered.title')}>
              {offered.length ? (
                <>
                  <p class="list-count">{tn('categories.offered.count', offered.length)}</p>
                  <ol class="integration-list">
                    {offered.map((category, index) => (
                      <CategoryRow key={category.key} category={category} index={index} context={context} />
                    ))}
                  </ol>
                </>
              ) : (
                <p class="hint">{t('categories.offered.empty')}</p>
              )}
            </Panel>
            {archived.length ? (
              <Panel title={t('categories.archived.title')}>
                <p class="hint">{t('categories.archived.hint')}</p>
                <ul class="integration-list">
                  {archived.map((category) => (
                    <CategoryRow key={category.key} category={category} index={-1} context={context} />
                  ))}
                </ul>
              </Panel>
            ) : null}
          </>
        );
      }}
    </Loaded>
  );
}

/** An offered category at `index` of the offered list, or an archived one (`index` -1). */
function CategoryRow({ category, index, context }: { category: TicketCategory; index: number; context: Context }) {
  const { offered, done } = context;
  const modes = useRowModes('input[name="label.en"]');
  const submission = useSubmit();
  const id = useId();
  const name = categoryName(category);
  const key = category.key;

  const move = (by: -1 | 1) =>
    void submission.run(async () => {
      // Each category renumbered at once (a position is a sort key, no other row moves with it).
      const answers = await Promise.allSettled(movedPositions(offered, index, by).map((placement) => changeTicketCategory(placement.key, { position: placement.position })));
      const changed = answers.flatMap((answer) => (answer.status === 'fulfilled' ? [answer.value] : []));
      // What the server took is shown, even when another change failed.
      if (changed.length) {
        const to = index + by;
        done(changed, t('categories.moved', { name, position: to + 1 }), `${row(key)} [data-action="${moveFocus(to, offered.length, by)}"]`);
      }
      const failed = answers.find((answer) => answer.status === 'rejected');
      if (failed) throw failed.reason;
    });
  const archive = (archived: boolean) =>
    void submission.run(async () => {
      const saved = await changeTicketCategory(key, { archived });
      done(
        [saved],
        t(archived ? 'categories.archived_done' : 'categories.restored', { name }),
        `${row(key)} [data-action="${archived ? 'restore' : 'archive'}"]`,
      );
    });

  return (
    <li class="integration" aria-labelledby={id} ref={modes.row} data-key={key}>
      <div class="integration-head">
        {category.archived ? null : (
          <span class="policy-position" aria-hidden="true">
            {index + 1}.
          </span>
        )}
        <strong id={id}>{name}</strong>
        {category.archived ? <span class="badge">{t('categories.archived')}</span> : null}
      </div>
      {modes.editing ? (
        <CategoryForm
          initial={categoryFormValues(category)}
          editing
          submitLabel={t('categories.form.save')}
          onCancel={modes.shown}
          onSave={async (_values, label) => {
            const change = labelChange(category, label);
            const saved = change ? await changeTicketCategory(key, change) : category;
            modes.shown();
            done([saved], change ? t('categories.renamed', { name: categoryName(saved) }) : t('categories.unchanged'), `${row(key)} [data-action="edit"]`);
          }}
        />
      ) : (
        <>
          <dl class="facts">
            <div>
              <dt>{t('categories.form.key')}</dt>
              <dd>
                <code>{key}</code>
              </dd>
            </div>
            <BilingualFacts labels={{ en: t('categories.fact.en'), fr: t('categories.fact.fr') }} values={category.label} noFrench={t('categories.no_french')} />
          </dl>
          <div class="policy-actions">
            {category.archived ? null : (
              <MoveButtons
                modes={modes}
                index={index}
                count={offered.length}
                move={move}
                labels={{
                  up: t('categories.move_up'),
                  upNamed: t('categories.move_up_named', { name }),
                  down: t('categories.move_down'),
                  downNamed: t('categories.move_down_named', { name }),
                }}
              />
            )}
            <div class="actions">
              <button type="button" class="button button--secondary" data-action="edit" aria-label={t('categories.rename_named', { name })} onClick={modes.edit}>
                {t('categories.rename')}
              </button>
              {category.archived ? (
                <button type="button" class="button button--secondary" data-action="restore" aria-label={t('categories.restore_named', { name })} disabled={submission.busy} onClick={() => archive(false)}>
                  {t('categories.restore')}
                </button>
              ) : (
                <button type="button" class="button button--secondary" data-action="archive" aria-label={t('categories.archive_named', { name })} disabled={submission.busy} onClick={() => archive(true)}>
                  {t('categories.archive')}
                </button>
              )}
            </div>
          </div>
        </>
      )}
      <ErrorAlert error={submission.error} />
    </li>
  );
}

/** A category's form: its key (a new one only: it never changes) and its labels. The server's
 * refusals are said beside the field they concern. */
function CategoryForm({
  initial,
  editing = false,
  submitLabel,
  onSave,
  onCancel,
}: {
  initial: CategoryFormValues;
  editing?: boolean;
  submitLabel: string;
  onSave: (values: CategoryFormValues, label: FieldLabel) => Promise<void>;
  onCancel?: () => void;
}) {
  const form = useFields<CategoryFormValues, 'form'>(initial);
  const { values, errors } = form;
  const submission = useSubmit();
  const onSubmit = (event: Event) => {
    event.preventDefault();
    const checked = checkCategoryForm(values, editing);
    form.submit(submission, {
      found: translated(checked.errors),
      request: checked.label,
      send: (label) => onSave(values, label),
      refused: (error) => {
        if (error instanceof ApiProblem && error.code === 'category_key_taken') return { key: t('categories.form.key_taken') };
        if (error instanceof ApiProblem && error.code === 'validation_failed' && error.errors.length) return refusedFields(error, categoryErrorOf);
        return {};
      },
    });
  };
  return (
    <form ref={form.ref} class="form" onSubmit={onSubmit} noValidate>
      {editing ? null : (
        <TextField
          label={t('categories.form.key')}
          hint={t('categories.form.key_hint')}
          {...form.field('key')}
          autocomplete="off"
          spellcheck={false}
          maxLength={CATEGORY_KEY_MAX}
          required
        />
      )}
      <BilingualFields
        form={form}
        names={{ en: 'label.en', fr: 'label.fr' }}
        labels={{ en: t('categories.form.en'), fr: t('categories.form.fr') }}
        frHint={t('categories.form.fr_hint')}
        maxLength={CATEGORY_LABEL_MAX}
      />
      <FormEnd
        formError={errors.form}
        submission={submission}
        overrides={{ limit_reached: 'categories.form.limit' }}
        submitLabel={submitLabel}
        cancel={{ label: t('categories.form.cancel'), onCancel }}
      />
    </form>
  );
}
