/**
 * An article's form, to write one or change one: its title, language, category, status, address
 * (slug), the article it translates (at creation), and its Markdown with a preview rendered by
 * the server exactly as saving would render it, and Insert image: an image uploaded and its
 * Markdown put where the cursor was. Checked here first (`../helpCenter.ts`); the server's
 * refusals are shown beside their fields, the focus on the first.
 */

import { useId, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { ApiProblem } from '../../api/problem';
import { previewMarkdown, uploadImage, type ArticleSummary, type Category } from '../../data/helpCenter';
import { getLocale, t } from '../../i18n';
import { ArticleHtml } from '../../helpCenter/ArticleHtml';
import { SelectField, TextArea, TextField } from '../../ui/Field';
import { translated, useFields } from '../../ui/form';
import { FormEnd } from '../../ui/FormEnd';
import { useSubmit } from '../../ui/hooks';
import { ErrorAlert } from '../../ui/status';
import {
  ARTICLE_STATUSES,
  BODY_MAX,
  HELP_LOCALES,
  IMAGE_ERRORS,
  IMAGE_TYPES,
  LOCALE_LABEL,
  SLUG_MAX,
  STATUS_LABEL,
  TITLE_MAX,
  articleErrorField,
  categoryName,
  checkArticle,
  checkImage,
  imageMarkdown,
  insertImage,
  translationChoices,
  type ArticleField,
  type ArticleFormValues,
} from '../helpCenter';

type Errors = Partial<Record<ArticleField | 'form', string>>;

/** The server's refusals by field, in words; what it says of nothing on the form, with the form. */
export function refusalErrors(error: unknown): Errors | null {
  if (!(error instanceof ApiProblem)) return null;
  const found: Errors = {};
  if (error.code === 'slug_taken') found.slug = t('help.form.slug_taken');
  const other: string[] = [];
  for (const e of error.errors) {
    const field = articleErrorField(e.field);
    if (field) found[field] ??= e.message;
    else other.push(e.message);
  }
  if (other.length) found.form = other.join(' ');
  return Object.keys(found).length ? found : null;
}

export function ArticleForm({
  initial,
  editing,
  categories,
  translatable,
  submitLabel,
  onSave,
}: {
  initial: ArticleFormValues;
  /** An article saved already: its slug is kept, it translates nothing new. */
  editing: boolean;
  categories: Category[];
  /** The articles a new one may translate (at creation). */
  translatable?: ArticleSummary[] | undefined;
  submitLabel: string;
  /** Sends the form; a refusal is thrown back (an `ApiProblem`). */
  onSave: (values: ArticleFormValues) => Promise<void>;
}) {
  const form = useFields<ArticleFormValues, 'form'>(initial, { editAnswersForm: true });
  const { values, errors } = form;
  const submission = useSubmit();
  const preview = useSubmit();
  const [html, setHtml] = useState<string | null>(null);
  // The preview shows what was typed when it was asked for: typing further says it is behind.
  const [previewed, setPreviewed] = useState<string | null>(null);
  const previewId = useId();
  const upload = useSubmit();
  const [inserted, setInserted] = useState<string | null>(null);
  const picker = useRef<HTMLInputElement>(null);
  const imageButton = useRef<HTMLButtonElement>(null);
  const imageHintId = useId();
  // Where the focus goes once the upload is over: back in the text after the image, or (after a
  // refusal, the button having been disabled meanwhile) on the button.
  const after = useRef<{ caret: number } | 'button' | null>(null);
  const locale = getLocale();
  const set = <K extends keyof ArticleFormValues & string>(key: K, value: ArticleFormValues[K]) => form.set(key)(value);
  const bodyBox = () => form.ref.current?.elements.namedItem('body') as HTMLTextAreaElement | null;

  useLayoutEffect(() => {
    const next = after.current;
    if (next === null || upload.busy) return;
    after.current = null;
    if (next === 'button') {
      if (!document.activeElement || document.activeElement === document.body) imageButton.current?.focus();
      return;
    }
    const box = bodyBox();
    box?.focus();
    box?.setSelectionRange(next.caret, next.caret);
  });

  const onSubmit = (event: Event) => {
    event.preventDefault();
    if (!form.show(translated(checkArticle(values, editing)))) return;
    void submission.run(async () => {
      try {
        await onSave(values);
      } catch (error) {
        const found = refusalErrors(error);
        if (found && !(error instanceof ApiProblem && error.code === 'limit_reached')) return void form.show(found);
        throw error;
      }
    });
  };

  const showPreview = () =>
    void preview.run(async () => {
      const body = values.body;
      try {
        setHtml(await previewMarkdown(body));
        setPreviewed(body);
        form.setErrors((e) => (e.body ? { ...e, body: undefined } : e));
      } catch (error) {
        const found = refusalErrors(error);
        if (found?.body) return void form.show({ body: found.body });
        throw error;
      }
    });

  const addImage = (file: File) => {
    setInserted(null);
    void upload.run(async () => {
      try {
        const refused = checkImage(file);
        if (refused) throw new ApiProblem({ status: refused === 'file_too_large' ? 413 : 415, code: refused });
        const image = await uploadImage(file);
        // The text and the cursor as they are now: typing may have gone on during the upload.
        const box = bodyBox();
        const text = box?.value ?? values.body;
        const next = insertImage(text, box?.selectionStart ?? text.length, box?.selectionEnd ?? text.length, imageMarkdown(file.name, image.url));
        set('body', next.text);
        after.current = { caret: next.caret };
        setInserted(file.name);
      } catch (error) {
        after.current = 'button';
        throw error;
      }
    });
  };

  const others = translatable ? translationChoices(translatable, values.locale) : [];
  const categoryOptions = [
    { value: '', label: t('help.form.no_category') },
    ...categories.map((c) => ({ value: c.id, label: categoryName(c, locale) })),
    ...(values.categoryId && !categories.some((c) => c.id === values.categoryId) ? [{ value: values.categoryId, label: t('help.category.unknown') }] : []),
  ];

  return (
    <form ref={form.ref} class="form article-form" onSubmit={onSubmit} noValidate>
      <TextField
        label={t('help.form.title')}
        {...form.field('title')}
        autocomplete="off"
        maxLength={TITLE_MAX}
        lang={values.locale}
        required
      />
      <div class="field-row field-row--three">
        <SelectField
          label={t('help.form.locale')}
          name="locale"
          value={values.locale}
          error={errors.locale}
          options={HELP_LOCALES.map((l) => ({ value: l, label: t(LOCALE_LABEL[l]) }))}
          onValue={(v) => form.change({ locale: v as ArticleFormValues['locale'], ...(editing ? {} : { translationOf: '' }) }, ['locale', 'translationOf'])}
        />
        <SelectField label={t('help.form.category')} name="category_id" value={values.categoryId} error={errors.categoryId} options={categoryOptions} onValue={(v) => set('categoryId', v)} />
        <SelectField
          label={t('help.form.status')}
          {...form.field('status')}
          hint={t('help.form.status_hint')}
          options={ARTICLE_STATUSES.map((s) => ({ value: s, label: t(STATUS_LABEL[s]) }))}
        />
      </div>
      <TextField
        label={editing ? t('help.form.slug') : t('help.form.slug_optional')}
        hint={editing ? t('help.form.slug_hint_edit') : t('help.form.slug_hint')}
        {...form.field('slug')}
        autocomplete="off"
        spellcheck={false}
        maxLength={SLUG_MAX}
      />
      {editing ? null : (
        <SelectField
          label={t('help.form.translation_of')}
          hint={t('help.form.translation_of_hint')}
          {...form.field('translationOf', 'translation_of')}
          options={[
            { value: '', label: t('help.form.translation_none') },
            ...others.map((a) => ({ value: a.id, label: t('help.form.translation_choice', { title: a.title, locale: t(LOCALE_LABEL[a.locale]) }) })),
            ...(values.translationOf && !others.some((a) => a.id === values.translationOf) ? [{ value: values.translationOf, label: t('help.form.translation_unknown') }] : []),
          ]}
        />
      )}
      <TextArea
        label={t('help.form.body')}
        name="body"
        rows={16}
        class="article-body-input"
        spellcheck
        lang={values.locale}
        value={values.body}
        error={errors.body}
        maxLength={BODY_MAX}
        onValue={(v) => (set('body', v), setInserted(null))}
        hint={t('help.form.body_hint')}
      />
      <div class="actions">
        <button
          ref={imageButton}
          type="button"
          class="button button--secondary"
          disabled={upload.busy}
          aria-describedby={imageHintId}
          onClick={() => picker.current?.click()}
        >
          {upload.busy ? t('help.image.uploading') : t('help.image.insert')}
        </button>
        <input
          ref={picker}
          type="file"
          accept={IMAGE_TYPES.join(',')}
          hidden
          tabIndex={-1}
          onChange={(e) => {
            const file = e.currentTarget.files?.[0];
            // The same file chosen again is a change too.
            e.currentTarget.value = '';
            if (file) addImage(file);
          }}
        />
        <button type="button" class="button button--secondary" disabled={preview.busy} onClick={showPreview}>
          {preview.busy ? t('common.working') : t('help.form.preview')}
        </button>
      </div>
      <p id={imageHintId} class="hint">
        {t('help.image.hint')}
      </p>
      <p class="hint" role="status">
        {inserted ? t('help.image.inserted', { name: inserted }) : ''}
      </p>
      <ErrorAlert error={upload.error} overrides={IMAGE_ERRORS} />
      <ErrorAlert error={preview.error} />
      <section class="article-preview" aria-labelledby={previewId} hidden={html === null}>
        <h2 id={previewId}>{t('help.form.preview_title')}</h2>
        <p class="hint" role="status">
          {html !== null ? (previewed === values.body ? t('help.form.preview_current') : t('help.form.preview_behind')) : ''}
        </p>
        {html !== null ? html.trim() ? <ArticleHtml html={html} level={2} class="article-html--preview" /> : <p class="hint">{t('help.form.preview_empty')}</p> : null}
      </section>
      <FormEnd formError={errors.form} submission={submission} overrides={{ limit_reached: 'help.form.limit' }} submitLabel={submitLabel} />
    </form>
  );
}
