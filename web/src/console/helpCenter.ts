/**
 * The help center in the console, as plain functions: the article list's filters in the address
 * and the query they send; an article's form (its values from the API's answer, its checks, the
 * request that creates one, only what changed for one edited, the server's refusals by field;
 * an image put into its Markdown where the cursor was, and an image's refusals in words);
 * a category's form likewise; a translation's starting point; the help center report's range
 * and its rows. The server stays the authority on everything checked here.
 */

import type {
  Article,
  ArticleChanges,
  ArticleQuery,
  ArticleReport,
  ArticleStatus,
  ArticleSummary,
  Category,
  CategoryChanges,
  HelpLocale,
  HelpReportQuery,
  NewArticle,
  NewCategory,
  UnansweredSearch,
} from '../data/helpCenter';
import type { KnownCode, Overrides } from '../errors/describe';
import type { MessageKey } from '../i18n';
import { addDays, isDate } from './reports';

export const HELP_LOCALES: readonly HelpLocale[] = ['en', 'fr'];
export const ARTICLE_STATUSES: readonly ArticleStatus[] = ['draft', 'published'];

export const LOCALE_LABEL: Record<HelpLocale, MessageKey> = { en: 'help.locale.en', fr: 'help.locale.fr' };
/** A language inside a sentence ("into French", « en français »). */
export const LOCALE_WORD: Record<HelpLocale, MessageKey> = { en: 'help.locale_word.en', fr: 'help.locale_word.fr' };
export const STATUS_LABEL: Record<ArticleStatus, MessageKey> = { draft: 'help.status.draft', published: 'help.status.published' };

export const TITLE_MAX = 200;
export const BODY_MAX = 100_000;
export const SLUG_MAX = 100;
export const CATEGORY_NAME_MAX = 100;
/** a-z, 0-9 and single hyphens between them. */
const SLUG = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const chars = (value: string) => [...value].length;

export function isHelpLocale(value: string | null | undefined): value is HelpLocale {
  return value === 'en' || value === 'fr';
}

// The list ----------------------------------------------------------------------------------

/** The list's filters as the address holds them (`''`: any). */
export interface ArticleFilters {
  locale: HelpLocale | '';
  status: ArticleStatus | '';
  categoryId: string;
  q: string;
}

export const NO_FILTERS: ArticleFilters = { locale: '', status: '', categoryId: '', q: '' };

/** The filters of `/help-center?locale=fr&status=draft&category_id=…&q=…`; what is not one of
 * the values allowed is no filter. */
export function parseFilters(query: URLSearchParams): ArticleFilters {
  const locale = query.get('locale');
  const status = query.get('status');
  const category = query.get('category_id') ?? '';
  return {
    locale: isHelpLocale(locale) ? locale : '',
    status: status === 'draft' || status === 'published' ? status : '',
    categoryId: UUID.test(category) ? category.toLowerCase() : '',
    q: (query.get('q') ?? '').trim().slice(0, 200),
  };
}

/** The list's address for `filters` (its filters in the order the page shows them). */
export function filtersHref(filters: ArticleFilters): string {
  const query = new URLSearchParams();
  if (filters.q.trim()) query.set('q', filters.q.trim());
  if (filters.locale) query.set('locale', filters.locale);
  if (filters.status) query.set('status', filters.status);
  if (filters.categoryId) query.set('category_id', filters.categoryId);
  const text = query.toString();
  return text ? `/help-center?${text}` : '/help-center';
}

/** What the list asks the server for; `cursor` for the pages after the first. */
export function listQuery(filters: ArticleFilters, limit: number, cursor?: string): ArticleQuery {
  return {
    limit,
    ...(filters.locale ? { locale: filters.locale } : {}),
    ...(filters.status ? { status: filters.status } : {}),
    ...(filters.categoryId ? { category_id: filters.categoryId } : {}),
    ...(filters.q.trim() ? { q: filters.q.trim() } : {}),
    ...(cursor ? { cursor } : {}),
  };
}

/** A list read a page at a time: the items so far and where the next page starts. */
export interface ArticleList {
  items: ArticleSummary[];
  cursor: string | null;
}

/** The next page after those shown (an article already shown, moved up by a change meanwhile,
 * is not shown twice). */
export function withPage(list: ArticleList, page: { data: ArticleSummary[]; next_cursor?: string | null }): ArticleList {
  const shown = new Set(list.items.map((a) => a.id));
  return { items: [...list.items, ...page.data.filter((a) => !shown.has(a.id))], cursor: page.next_cursor ?? null };
}

// An article's form ---------------------------------------------------------------------------

export interface ArticleFormValues {
  title: string;
  body: string;
  locale: HelpLocale;
  /** `''`: no category. */
  categoryId: string;
  status: ArticleStatus;
  /** `''`: made from the title by the server (at creation). */
  slug: string;
  /** The article this one translates (at creation only); `''`: none. */
  translationOf: string;
}

export type ArticleField = 'title' | 'body' | 'locale' | 'categoryId' | 'status' | 'slug' | 'translationOf';

/** Where a new article starts: empty, or as the translation of another (`?translation_of=…&locale=fr`,
 * its category kept when given). */
export interface NewArticleStart {
  locale: HelpLocale;
  translationOf: string;
  categoryId: string;
}

export function parseNewArticle(query: URLSearchParams, fallback: HelpLocale): NewArticleStart {
  const locale = query.get('locale');
  const of = query.get('translation_of') ?? '';
  const category = query.get('category_id') ?? '';
  return {
    locale: isHelpLocale(locale) ? locale : fallback,
    translationOf: UUID.test(of) ? of.toLowerCase() : '',
    categoryId: UUID.test(category) ? category.toLowerCase() : '',
  };
}

/** The New article page, as the translation of `article` into `locale`. */
export function translateHref(article: Pick<Article, 'id' | 'category_id'>, locale: HelpLocale): string {
  const query = new URLSearchParams({ translation_of: article.id, locale });
  if (article.category_id) query.set('category_id', article.category_id);
  return `/help-center/new?${query.toString()}`;
}

export function emptyArticle(start: NewArticleStart): ArticleFormValues {
  return { title: '', body: '', locale: start.locale, categoryId: start.categoryId, status: 'draft', slug: '', translationOf: start.translationOf };
}

export function articleFormValues(article: Article): ArticleFormValues {
  return {
    title: article.title,
    body: article.body ?? '',
    locale: article.locale,
    categoryId: article.category_id ?? '',
    status: article.status,
    slug: article.slug,
    translationOf: '',
  };
}

/** The locales the article's family has no version in yet (its own aside). */
export function missingLocales(article: Pick<Article, 'locale' | 'translations'>): HelpLocale[] {
  const had = new Set<HelpLocale>([article.locale, ...article.translations.map((t) => t.locale)]);
  return HELP_LOCALES.filter((locale) => !had.has(locale));
}

/** The articles a new one in `locale` may translate: those in another language. */
export function translationChoices<A extends Pick<ArticleSummary, 'id' | 'locale' | 'title'>>(articles: readonly A[], locale: HelpLocale): A[] {
  return articles.filter((a) => a.locale !== locale);
}

/** What the form can tell before sending (`editing`: the slug is kept, never emptied). */
export function checkArticle(values: ArticleFormValues, editing: boolean): Partial<Record<ArticleField, MessageKey>> {
  const errors: Partial<Record<ArticleField, MessageKey>> = {};
  const title = values.title.trim();
  const slug = values.slug.trim();
  if (!title) errors.title = 'help.form.title_required';
  else if (chars(title) > TITLE_MAX) errors.title = 'help.form.title_long';
  if (chars(values.body) > BODY_MAX) errors.body = 'help.form.body_long';
  if (!slug) {
    if (editing) errors.slug = 'help.form.slug_required';
  } else if (chars(slug) > SLUG_MAX) errors.slug = 'help.form.slug_long';
  else if (!SLUG.test(slug)) errors.slug = 'help.form.slug_invalid';
  return errors;
}

/** The request creating the article: what was left empty is not sent. */
export function newArticleRequest(values: ArticleFormValues): NewArticle {
  return {
    title: values.title.trim(),
    body: values.body,
    locale: values.locale,
    status: values.status,
    ...(values.categoryId ? { category_id: values.categoryId } : {}),
    ...(values.slug.trim() ? { slug: values.slug.trim() } : {}),
    ...(values.translationOf ? { translation_of: values.translationOf } : {}),
  };
}

/** Only what changed since `initial` (the category taken away as `null`). */
export function articleChanges(initial: ArticleFormValues, values: ArticleFormValues): ArticleChanges {
  const changes: ArticleChanges = {};
  if (values.title.trim() !== initial.title.trim()) changes.title = values.title.trim();
  if (values.body !== initial.body) changes.body = values.body;
  if (values.locale !== initial.locale) changes.locale = values.locale;
  if (values.categoryId !== initial.categoryId) changes.category_id = values.categoryId || null;
  if (values.status !== initial.status) changes.status = values.status;
  if (values.slug.trim() !== initial.slug.trim()) changes.slug = values.slug.trim();
  return changes;
}

/** The form's field a server's refusal names (`category_id` is the Category select). */
export function articleErrorField(field: string): ArticleField | null {
  switch (field.split(/[.[]/)[0]) {
    case 'title':
      return 'title';
    case 'body':
      return 'body';
    case 'locale':
      return 'locale';
    case 'category_id':
      return 'categoryId';
    case 'status':
      return 'status';
    case 'slug':
      return 'slug';
    case 'translation_of':
      return 'translationOf';
    default:
      return null;
  }
}

// An article's images ---------------------------------------------------------------------------

/** The images an article may show, as the server takes them (`accept` of the file picker). */
export const IMAGE_TYPES = ['image/png', 'image/jpeg', 'image/gif', 'image/webp'] as const;
export const IMAGE_MAX_BYTES = 5 * 1024 * 1024;

/** What can be told of a chosen file before sending it: too large, or not one of the four types
 * (a file the browser gives no type is left to the server, which reads the content anyway). */
export function checkImage(file: Pick<File, 'size' | 'type'>): KnownCode | null {
  if (file.type && !(IMAGE_TYPES as readonly string[]).includes(file.type)) return 'unsupported_media_type';
  if (file.size > IMAGE_MAX_BYTES) return 'file_too_large';
  return null;
}

/** An image's refusals, in the editor's words (the others as everywhere). A proxy's 413 is the
 * file's size too; `validation_failed` on an upload says nothing a person can act on. */
export const IMAGE_ERRORS: Overrides = {
  file_too_large: 'help.image.too_large',
  payload_too_large: 'help.image.too_large',
  unsupported_media_type: 'help.image.wrong_type',
  media_type_mismatch: 'help.image.mismatch',
  file_infected: 'help.image.infected',
  storage_quota_exceeded: 'help.image.quota',
  limit_reached: 'help.image.limit',
  validation_failed: 'help.image.failed',
  server_error: 'help.image.failed',
};

/** The image's text for those who do not see it: the file's name without its extension
 * (`Step 1.png`: "Step 1"), its Markdown punctuation escaped so that it stays text. */
export function imageAlt(fileName: string): string {
  const name = fileName.split(/[\\/]/).pop() ?? '';
  const dot = name.lastIndexOf('.');
  const stem = (dot > 0 ? name.slice(0, dot) : name).replace(/\s+/g, ' ').trim();
  return stem.replace(/[\\`*_[\]<>&~]/g, '\\$&');
}

/** `![Step 1](/help/images/…)`. */
export function imageMarkdown(fileName: string, url: string): string {
  return `![${imageAlt(fileName)}](${url})`;
}

/** `text` with the image's Markdown in place of what was selected (`start` to `end`; the cursor
 * when they are equal), as a paragraph of its own (a blank line before and after it, unless the
 * text starts or ends there or has one already), and the cursor right after the image. */
export function insertImage(text: string, start: number, end: number, markdown: string): { text: string; caret: number } {
  const at = (index: number) => (Number.isFinite(index) && index >= 0 ? Math.min(index, text.length) : text.length);
  const from = Math.min(at(start), at(end));
  const to = Math.max(at(start), at(end));
  const before = text.slice(0, from);
  const after = text.slice(to);
  const lead = !before || before.endsWith('\n\n') ? '' : before.endsWith('\n') ? '\n' : '\n\n';
  const trail = !after || after.startsWith('\n\n') ? '' : after.startsWith('\n') ? '\n' : '\n\n';
  return { text: `${before}${lead}${markdown}${trail}${after}`, caret: before.length + lead.length + markdown.length };
}

// Categories ----------------------------------------------------------------------------------

/** A category's name in `locale`: the French one when there is one, else the English one. */
export function categoryName(category: Pick<Category, 'name'>, locale: string): string {
  return (locale === 'fr' ? category.name.fr?.trim() : '') || category.name.en;
}

/** By position, then by name (as the server lists them, kept after a change here). */
export function sortCategories<C extends Pick<Category, 'name' | 'position'>>(categories: readonly C[]): C[] {
  return [...categories].sort((a, b) => a.position - b.position || a.name.en.localeCompare(b.name.en));
}

export interface CategoryFormValues {
  en: string;
  fr: string;
  /** A whole number as typed; `''`: 0 for a new one, unchanged for one edited. */
  position: string;
}

export type CategoryField = 'en' | 'fr' | 'position';

export const EMPTY_CATEGORY: CategoryFormValues = { en: '', fr: '', position: '' };

export function categoryFormValues(category: Category): CategoryFormValues {
  return { en: category.name.en, fr: category.name.fr ?? '', position: String(category.position) };
}

const POSITION = /^-?\d{1,9}$/;

export function checkCategory(values: CategoryFormValues): Partial<Record<CategoryField, MessageKey>> {
  const errors: Partial<Record<CategoryField, MessageKey>> = {};
  const en = values.en.trim();
  if (!en) errors.en = 'help.categories.form.en_required';
  else if (chars(en) > CATEGORY_NAME_MAX) errors.en = 'help.categories.form.name_long';
  if (chars(values.fr.trim()) > CATEGORY_NAME_MAX) errors.fr = 'help.categories.form.name_long';
  if (values.position.trim() && !POSITION.test(values.position.trim())) errors.position = 'help.categories.form.position_invalid';
  return errors;
}

function nameOf(values: CategoryFormValues): NewCategory['name'] {
  const fr = values.fr.trim();
  return { en: values.en.trim(), ...(fr ? { fr } : {}) };
}

export function newCategoryRequest(values: CategoryFormValues): NewCategory {
  return { name: nameOf(values), ...(values.position.trim() ? { position: Number(values.position.trim()) } : {}) };
}

/** Only what changed: the name whole (the server takes it so), the position. */
export function categoryChanges(category: Category, values: CategoryFormValues): CategoryChanges {
  const changes: CategoryChanges = {};
  const name = nameOf(values);
  if (name.en !== category.name.en || (name.fr ?? null) !== (category.name.fr ?? null)) changes.name = name;
  const position = values.position.trim();
  if (position && Number(position) !== category.position) changes.position = Number(position);
  return changes;
}

export function categoryErrorField(field: string): CategoryField | null {
  if (field === 'name.en' || field === 'name') return 'en';
  if (field === 'name.fr') return 'fr';
  if (field === 'position') return 'position';
  return null;
}

// The report ----------------------------------------------------------------------------------

/** The report's range as typed: dates `YYYY-MM-DD`, `to` included. */
export interface HelpReportFilters {
  from: string;
  to: string;
}

export const HELP_REPORT_DAYS = 30;

/** The last 30 days, today included. */
export function defaultHelpFilters(today: string): HelpReportFilters {
  return { from: addDays(today, 1 - HELP_REPORT_DAYS), to: today };
}

export function checkHelpFilters(filters: HelpReportFilters): Partial<Record<keyof HelpReportFilters, MessageKey>> {
  const errors: Partial<Record<keyof HelpReportFilters, MessageKey>> = {};
  if (!filters.from.trim()) errors.from = 'reports.filters.from_required';
  else if (!isDate(filters.from.trim())) errors.from = 'reports.filters.date_invalid';
  if (!filters.to.trim()) errors.to = 'reports.filters.to_required';
  else if (!isDate(filters.to.trim())) errors.to = 'reports.filters.date_invalid';
  return errors;
}

/** The range as the API takes it: `to` the day after the last one shown. */
export function helpReportQuery(filters: HelpReportFilters, timeZone: string): HelpReportQuery {
  return { from: filters.from.trim(), to: addDays(filters.to.trim(), 1), time_zone: timeZone };
}

export type ReportCounts = Pick<ArticleReport, 'views' | 'helpful' | 'not_helpful' | 'suggested_views' | 'deflections'>;

/** The articles' rows as the server orders them (most viewed first), and their totals. */
export function reportTotals(articles: readonly ReportCounts[]): ReportCounts {
  const total: ReportCounts = { views: 0, helpful: 0, not_helpful: 0, suggested_views: 0, deflections: 0 };
  for (const row of articles) {
    total.views += row.views;
    total.helpful += row.helpful;
    total.not_helpful += row.not_helpful;
    total.suggested_views += row.suggested_views;
    total.deflections += row.deflections;
  }
  return total;
}

/** The language a search that found nothing was made in: `en`, `fr`, or none (`any`). */
export function searchLocaleLabel(locale: UnansweredSearch['locale']): MessageKey {
  return isHelpLocale(locale) ? LOCALE_LABEL[locale] : 'help.report.any_locale';
}
