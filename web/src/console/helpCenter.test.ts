import { describe, expect, it } from 'vitest';
import { ApiProblem } from '../api/problem';
import type { Article, ArticleSummary, Category } from '../data/helpCenter';
import { describeProblem } from '../errors/describe';
import { setLocale } from '../i18n';
import {
  IMAGE_ERRORS,
  IMAGE_MAX_BYTES,
  NO_FILTERS,
  articleChanges,
  articleErrorField,
  articleFormValues,
  categoryChanges,
  categoryErrorField,
  categoryFormValues,
  categoryName,
  checkArticle,
  checkCategory,
  checkHelpFilters,
  checkImage,
  defaultHelpFilters,
  emptyArticle,
  filtersHref,
  helpReportQuery,
  imageAlt,
  imageMarkdown,
  insertImage,
  listQuery,
  missingLocales,
  newArticleRequest,
  newCategoryRequest,
  parseFilters,
  parseNewArticle,
  reportTotals,
  searchLocaleLabel,
  sortCategories,
  translateHref,
  translationChoices,
  withPage,
  type ArticleFormValues,
} from './helpCenter';

const ID = '0b7f6c1e-7d43-4c4b-9a52-1f0a9d7e2c11';
const OTHER = '5d1e2f3a-4b5c-4d6e-8f70-8192a3b4c5d6';
const CATEGORY = 'c0ffee00-1234-4abc-8def-0123456789ab';

const article: Article = {
  id: ID,
  slug: 'reset-your-password',
  locale: 'en',
  title: 'Reset your password',
  description: 'How to reset it.',
  body: '# Reset\n\nPress **Forgot password**.',
  body_html: '<h1>Reset</h1>',
  category_id: CATEGORY,
  status: 'draft',
  translations: [],
  created_at: '2026-11-01T10:00:00Z',
  updated_at: '2026-11-02T10:00:00Z',
  published_at: null,
};

const summary = (id: string, locale: 'en' | 'fr', title: string): ArticleSummary => ({
  id,
  slug: title.toLowerCase().replace(/\s+/g, '-'),
  locale,
  title,
  description: '',
  category_id: null,
  status: 'published',
  updated_at: '2026-11-02T10:00:00Z',
  published_at: '2026-11-02T10:00:00Z',
});

const category = (id: string, en: string, fr: string | null, position: number): Category => ({
  id,
  name: { en, fr },
  position,
  created_at: '2026-11-01T10:00:00Z',
  updated_at: '2026-11-01T10:00:00Z',
});

describe('the article list', () => {
  it('reads its filters from the address, dropping what is not one', () => {
    expect(parseFilters(new URLSearchParams(''))).toEqual(NO_FILTERS);
    expect(parseFilters(new URLSearchParams(`locale=fr&status=draft&category_id=${CATEGORY.toUpperCase()}&q=+mot+de+passe+`))).toEqual({
      locale: 'fr',
      status: 'draft',
      categoryId: CATEGORY,
      q: 'mot de passe',
    });
    expect(parseFilters(new URLSearchParams('locale=de&status=archived&category_id=nope'))).toEqual(NO_FILTERS);
  });

  it('writes them back into the address, and reads the same filters from it', () => {
    expect(filtersHref(NO_FILTERS)).toBe('/help-center');
    const filters = { locale: 'fr', status: 'published', categoryId: CATEGORY, q: 'colis abîmé' } as const;
    const href = filtersHref(filters);
    expect(href).toBe(`/help-center?q=colis+ab%C3%AEm%C3%A9&locale=fr&status=published&category_id=${CATEGORY}`);
    expect(parseFilters(new URLSearchParams(href.split('?')[1]))).toEqual(filters);
  });

  it('asks the server for what is filtered, and the page after with its cursor', () => {
    expect(listQuery(NO_FILTERS, 25)).toEqual({ limit: 25 });
    expect(listQuery({ locale: 'en', status: 'draft', categoryId: CATEGORY, q: ' reset ' }, 25, 'abc')).toEqual({
      limit: 25,
      locale: 'en',
      status: 'draft',
      category_id: CATEGORY,
      q: 'reset',
      cursor: 'abc',
    });
  });

  it('adds a page without showing an article twice', () => {
    const a = summary(ID, 'en', 'A');
    const b = summary(OTHER, 'en', 'B');
    expect(withPage({ items: [a], cursor: 'x' }, { data: [a, b], next_cursor: null })).toEqual({ items: [a, b], cursor: null });
    expect(withPage({ items: [], cursor: 'x' }, { data: [b], next_cursor: 'y' })).toEqual({ items: [b], cursor: 'y' });
  });
});

describe('an article’s form', () => {
  const values: ArticleFormValues = { title: ' Reset your password ', body: 'Text', locale: 'en', categoryId: '', status: 'draft', slug: '', translationOf: '' };

  it('starts empty, or as a translation from the address', () => {
    expect(parseNewArticle(new URLSearchParams(''), 'fr')).toEqual({ locale: 'fr', translationOf: '', categoryId: '' });
    expect(parseNewArticle(new URLSearchParams(`translation_of=${ID}&locale=fr&category_id=${CATEGORY}`), 'en')).toEqual({ locale: 'fr', translationOf: ID, categoryId: CATEGORY });
    expect(parseNewArticle(new URLSearchParams('translation_of=x&locale=es'), 'en')).toEqual({ locale: 'en', translationOf: '', categoryId: '' });
    expect(emptyArticle({ locale: 'fr', translationOf: ID, categoryId: CATEGORY })).toEqual({
      title: '',
      body: '',
      locale: 'fr',
      categoryId: CATEGORY,
      status: 'draft',
      slug: '',
      translationOf: ID,
    });
    expect(translateHref(article, 'fr')).toBe(`/help-center/new?translation_of=${ID}&locale=fr&category_id=${CATEGORY}`);
    expect(translateHref({ ...article, category_id: null }, 'fr')).toBe(`/help-center/new?translation_of=${ID}&locale=fr`);
  });

  it('reads an article saved', () => {
    expect(articleFormValues(article)).toEqual({
      title: 'Reset your password',
      body: '# Reset\n\nPress **Forgot password**.',
      locale: 'en',
      categoryId: CATEGORY,
      status: 'draft',
      slug: 'reset-your-password',
      translationOf: '',
    });
    expect(articleFormValues({ ...article, body: undefined, category_id: null }).categoryId).toBe('');
  });

  it('says what is wrong before sending', () => {
    expect(checkArticle(values, false)).toEqual({});
    expect(checkArticle({ ...values, title: '  ' }, false)).toEqual({ title: 'help.form.title_required' });
    expect(checkArticle({ ...values, title: 'é'.repeat(201) }, false)).toEqual({ title: 'help.form.title_long' });
    expect(checkArticle({ ...values, body: 'x'.repeat(100_001) }, false)).toEqual({ body: 'help.form.body_long' });
    expect(checkArticle({ ...values, slug: 'Reset Password' }, false)).toEqual({ slug: 'help.form.slug_invalid' });
    expect(checkArticle({ ...values, slug: 'reset--password' }, false)).toEqual({ slug: 'help.form.slug_invalid' });
    expect(checkArticle({ ...values, slug: '-reset' }, false)).toEqual({ slug: 'help.form.slug_invalid' });
    expect(checkArticle({ ...values, slug: 'a'.repeat(101) }, false)).toEqual({ slug: 'help.form.slug_long' });
    expect(checkArticle({ ...values, slug: 'reset-2' }, false)).toEqual({});
    // An article saved keeps an address.
    expect(checkArticle(values, true)).toEqual({ slug: 'help.form.slug_required' });
  });

  it('sends what was given to create one', () => {
    expect(newArticleRequest(values)).toEqual({ title: 'Reset your password', body: 'Text', locale: 'en', status: 'draft' });
    expect(newArticleRequest({ ...values, categoryId: CATEGORY, slug: ' reset ', translationOf: ID, status: 'published', locale: 'fr' })).toEqual({
      title: 'Reset your password',
      body: 'Text',
      locale: 'fr',
      status: 'published',
      category_id: CATEGORY,
      slug: 'reset',
      translation_of: ID,
    });
  });

  it('sends only what changed, the category taken away as null', () => {
    const saved = articleFormValues(article);
    expect(articleChanges(saved, saved)).toEqual({});
    expect(articleChanges(saved, { ...saved, title: 'Reset your password ' })).toEqual({});
    expect(articleChanges(saved, { ...saved, status: 'published' })).toEqual({ status: 'published' });
    expect(articleChanges(saved, { ...saved, categoryId: '', body: 'New', slug: 'reset', locale: 'fr', title: 'Reset' })).toEqual({
      title: 'Reset',
      body: 'New',
      locale: 'fr',
      category_id: null,
      slug: 'reset',
    });
  });

  it('puts the server’s refusals beside their fields', () => {
    expect(articleErrorField('title')).toBe('title');
    expect(articleErrorField('category_id')).toBe('categoryId');
    expect(articleErrorField('translation_of')).toBe('translationOf');
    expect(articleErrorField('slug')).toBe('slug');
    expect(articleErrorField('body')).toBe('body');
    expect(articleErrorField('cursor')).toBeNull();
  });

  it('offers to translate what is in another language, and the languages still missing', () => {
    const list = [summary(ID, 'en', 'Reset'), summary(OTHER, 'fr', 'Réinitialiser')];
    expect(translationChoices(list, 'fr').map((a) => a.id)).toEqual([ID]);
    expect(translationChoices(list, 'en').map((a) => a.id)).toEqual([OTHER]);
    expect(missingLocales(article)).toEqual(['fr']);
    expect(missingLocales({ ...article, translations: [{ id: OTHER, locale: 'fr', slug: 'r', title: 'R', status: 'draft' }] })).toEqual([]);
  });
});

describe('an image in an article', () => {
  const URL = '/help/images/0193aa00-0000-7000-8000-000000000001';
  const IMG = `![Step 1](${URL})`;

  it('is described by its file’s name without the extension, its Markdown punctuation escaped', () => {
    expect(imageAlt('Step 1.png')).toBe('Step 1');
    expect(imageAlt('reset.password.final.JPG')).toBe('reset.password.final');
    expect(imageAlt('  two   spaces .webp')).toBe('two spaces');
    expect(imageAlt('no-extension')).toBe('no-extension');
    expect(imageAlt('.png')).toBe('.png');
    expect(imageAlt('C:\\fakepath\\shot.gif')).toBe('shot');
    expect(imageAlt('IMG_2041 [new] *draft*.png')).toBe('IMG\\_2041 \\[new\\] \\*draft\\*');
    expect(imageMarkdown('Step 1.png', URL)).toBe(IMG);
    expect(imageMarkdown('a]b.png', URL)).toBe(`![a\\]b](${URL})`);
  });

  it('goes where the cursor is, as a paragraph of its own, the cursor right after it', () => {
    expect(insertImage('', 0, 0, IMG)).toEqual({ text: IMG, caret: IMG.length });
    // At the end of a line followed by a blank line.
    const text = 'Open the page.\n\n## Steps';
    expect(insertImage(text, 14, 14, IMG)).toEqual({ text: `Open the page.\n\n${IMG}\n\n## Steps`, caret: 16 + IMG.length });
    // On the blank line itself.
    expect(insertImage(text, 15, 15, IMG)).toEqual({ text: `Open the page.\n\n${IMG}\n\n## Steps`, caret: 16 + IMG.length });
    // At the start of the heading: kept a heading.
    expect(insertImage(text, 16, 16, IMG)).toEqual({ text: `Open the page.\n\n${IMG}\n\n## Steps`, caret: 16 + IMG.length });
    // In the middle of a sentence.
    expect(insertImage('See here.', 4, 4, IMG)).toEqual({ text: `See \n\n${IMG}\n\nhere.`, caret: 6 + IMG.length });
    // At the very start, and at the very end.
    expect(insertImage('Hello', 0, 0, IMG)).toEqual({ text: `${IMG}\n\nHello`, caret: IMG.length });
    expect(insertImage('Hello', 5, 5, IMG)).toEqual({ text: `Hello\n\n${IMG}`, caret: 7 + IMG.length });
    expect(insertImage('Hello\n', 6, 6, IMG)).toEqual({ text: `Hello\n\n${IMG}`, caret: 7 + IMG.length });
  });

  it('takes the place of what was selected, and goes at the end when the cursor is not known', () => {
    expect(insertImage('A\n\n[old]\n\nB', 3, 8, IMG)).toEqual({ text: `A\n\n${IMG}\n\nB`, caret: 3 + IMG.length });
    expect(insertImage('A\n\n[old]\n\nB', 8, 3, IMG)).toEqual({ text: `A\n\n${IMG}\n\nB`, caret: 3 + IMG.length });
    expect(insertImage('Thanks', Number.NaN, Number.NaN, IMG)).toEqual({ text: `Thanks\n\n${IMG}`, caret: 8 + IMG.length });
    expect(insertImage('Thanks', 99, 120, IMG)).toEqual({ text: `Thanks\n\n${IMG}`, caret: 8 + IMG.length });
  });

  it('is checked before sending: one of four types, at most 5 MiB', () => {
    expect(checkImage({ type: 'image/png', size: 68 })).toBeNull();
    expect(checkImage({ type: 'image/webp', size: IMAGE_MAX_BYTES })).toBeNull();
    expect(checkImage({ type: 'image/jpeg', size: IMAGE_MAX_BYTES + 1 })).toBe('file_too_large');
    expect(checkImage({ type: 'image/svg+xml', size: 10 })).toBe('unsupported_media_type');
    expect(checkImage({ type: 'application/pdf', size: IMAGE_MAX_BYTES + 1 })).toBe('unsupported_media_type');
    // No type known to the browser: the server reads the content.
    expect(checkImage({ type: '', size: 10 })).toBeNull();
  });

  it('says each refusal in words of its own, in both languages', () => {
    const said = (code: string, status: number) => describeProblem(new ApiProblem({ status, code }), IMAGE_ERRORS);
    // Each refusal: its code, its status, and what it says in English and, where checked, in French.
    const refusals: [code: string, status: number, en: string, fr: string | null][] = [
      ['file_too_large', 413, 'This image is too large: choose one of at most 5 MB.', 'Cette image est trop volumineuse : choisissez-en une de 5 Mo au plus.'],
      ['payload_too_large', 413, 'This image is too large: choose one of at most 5 MB.', null],
      ['unsupported_media_type', 415, 'This file is not an image the help center takes: choose a PNG, JPEG, GIF or WebP image.', 'Ce fichier n’est pas une image que le centre d’aide accepte : choisissez une image PNG, JPEG, GIF ou WebP.'],
      ['media_type_mismatch', 415, 'This file’s content is not the image its name says: choose a PNG, JPEG, GIF or WebP image.', null],
      ['file_infected', 422, 'This image was refused because it appears to contain a virus.', 'Cette image a été refusée car elle semble contenir un virus.'],
      ['storage_quota_exceeded', 413, 'The organisation’s storage is full, so the image could not be kept.', 'L’espace de stockage de l’organisation est plein : l’image n’a pas pu être gardée.'],
      ['limit_reached', 422, 'The help center already holds 10,000 images, the most it can keep.', 'Le centre d’aide compte déjà 10 000 images, le maximum qu’il puisse garder.'],
      ['validation_failed', 422, 'The image could not be added. Please try again.', 'L’image n’a pas pu être ajoutée. Réessayez.'],
      ['server_error', 500, 'The image could not be added. Please try again.', null],
      // The others as everywhere else.
      ['dependency_unavailable', 503, 'The service is temporarily unavailable. Please try again shortly.', null],
    ];
    setLocale('en');
    for (const [code, status, en] of refusals) expect(said(code, status), code).toBe(en);
    expect(describeProblem(ApiProblem.network(new TypeError('x')), IMAGE_ERRORS)).toMatch(/cannot be reached/);
    setLocale('fr');
    for (const [code, status, , fr] of refusals) if (fr !== null) expect(said(code, status), code).toBe(fr);
    setLocale('en');
  });
});

describe('categories', () => {
  const news = category(ID, 'News', 'Actualités', 10);
  const billing = category(OTHER, 'Billing', null, 0);

  it('are named in the reader’s language when they can be, and listed by position', () => {
    expect(categoryName(news, 'fr')).toBe('Actualités');
    expect(categoryName(news, 'en')).toBe('News');
    expect(categoryName(billing, 'fr')).toBe('Billing');
    expect(sortCategories([news, billing]).map((c) => c.name.en)).toEqual(['Billing', 'News']);
    expect(sortCategories([category(ID, 'B', null, 1), category(OTHER, 'A', null, 1)]).map((c) => c.name.en)).toEqual(['A', 'B']);
  });

  it('are checked before sending', () => {
    expect(checkCategory({ en: 'Billing', fr: '', position: '' })).toEqual({});
    expect(checkCategory({ en: ' ', fr: 'x'.repeat(101), position: '1.5' })).toEqual({
      en: 'help.categories.form.en_required',
      fr: 'help.categories.form.name_long',
      position: 'help.categories.form.position_invalid',
    });
    expect(checkCategory({ en: 'Billing', fr: '', position: '-3' })).toEqual({});
  });

  it('send their names whole, and only what changed', () => {
    expect(newCategoryRequest({ en: ' Billing ', fr: ' ', position: '' })).toEqual({ name: { en: 'Billing' } });
    expect(newCategoryRequest({ en: 'News', fr: 'Actualités', position: '10' })).toEqual({ name: { en: 'News', fr: 'Actualités' }, position: 10 });
    expect(categoryChanges(news, categoryFormValues(news))).toEqual({});
    expect(categoryChanges(news, { ...categoryFormValues(news), en: 'Updates' })).toEqual({ name: { en: 'Updates', fr: 'Actualités' } });
    expect(categoryChanges(news, { ...categoryFormValues(news), fr: '' })).toEqual({ name: { en: 'News' } });
    expect(categoryChanges(billing, { ...categoryFormValues(billing), position: '5' })).toEqual({ position: 5 });
    expect(categoryErrorField('name.en')).toBe('en');
    expect(categoryErrorField('name.fr')).toBe('fr');
    expect(categoryErrorField('position')).toBe('position');
    expect(categoryErrorField('other')).toBeNull();
  });
});

describe('the help center report', () => {
  it('covers the last 30 days, the last one included, and asks for the day after', () => {
    const filters = defaultHelpFilters('2026-11-27');
    expect(filters).toEqual({ from: '2026-10-29', to: '2026-11-27' });
    expect(helpReportQuery(filters, 'Europe/Paris')).toEqual({ from: '2026-10-29', to: '2026-11-28', time_zone: 'Europe/Paris' });
    expect(helpReportQuery({ from: '2026-12-01', to: '2026-12-31' }, 'UTC').to).toBe('2027-01-01');
  });

  it('says a date is missing or wrong before sending', () => {
    expect(checkHelpFilters({ from: '2026-11-01', to: '2026-11-27' })).toEqual({});
    expect(checkHelpFilters({ from: '', to: '2026-02-30' })).toEqual({ from: 'reports.filters.from_required', to: 'reports.filters.date_invalid' });
  });

  it('names the language a search was made in, or none', () => {
    expect(searchLocaleLabel('en')).toBe('help.locale.en');
    expect(searchLocaleLabel('fr')).toBe('help.locale.fr');
    expect(searchLocaleLabel('any')).toBe('help.report.any_locale');
  });

  it('adds up the articles’ rows', () => {
    const row = (views: number, helpful: number, notHelpful: number, suggested: number, deflections: number) => ({
      views,
      helpful,
      not_helpful: notHelpful,
      suggested_views: suggested,
      deflections,
    });
    expect(reportTotals([])).toEqual(row(0, 0, 0, 0, 0));
    expect(reportTotals([row(5, 2, 1, 3, 1), row(2, 0, 1, 1, 0)])).toEqual(row(7, 2, 2, 4, 1));
  });
});
