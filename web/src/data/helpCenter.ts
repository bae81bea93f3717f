/**
 * The help center (knowledge base): articles in English and French, written in Markdown by the
 * staff and published for anyone on the organisation's host; their categories (kept by owners
 * and admins); the search customers' words are matched against; readers' votes; and what readers
 * did over a range (owners and admins); the images articles show. The public pages (`/help/...`)
 * are the server's, not the app's: the app only links to them.
 */

import { api } from '../api';
import type { JsonBody, QueryParams, ResponseBody } from '../api/types';

export type ArticleSummary = ResponseBody<'GET', '/v1/kb/articles'>['data'][number];
export type ArticlePage = ResponseBody<'GET', '/v1/kb/articles'>;
export type ArticleQuery = NonNullable<QueryParams<'GET', '/v1/kb/articles'>>;
/** An article whole: its Markdown (`body`, staff alone get it), its sanitised HTML, its
 * translations. */
export type Article = ResponseBody<'GET', '/v1/kb/articles/{id}'>;
export type Translation = Article['translations'][number];
export type NewArticle = JsonBody<'POST', '/v1/kb/articles'>;
/** Each field optional; `category_id: null` takes the article out of its category. */
export type ArticleChanges = JsonBody<'PATCH', '/v1/kb/articles/{id}'>;
export type HelpLocale = Article['locale'];
export type ArticleStatus = Article['status'];

export type Category = ResponseBody<'GET', '/v1/kb/categories'>[number];
export type NewCategory = JsonBody<'POST', '/v1/kb/categories'>;
export type CategoryChanges = JsonBody<'PATCH', '/v1/kb/categories/{id}'>;

export type SearchHit = ResponseBody<'GET', '/v1/kb/search'>['data'][number];

/** An image uploaded for articles, public at `url` (`/help/images/{id}`, on this host). */
export type HelpImage = ResponseBody<'POST', '/v1/kb/images'>;

export type HelpReport = ResponseBody<'GET', '/v1/reports/help-center'>;
export type HelpReportQuery = NonNullable<QueryParams<'GET', '/v1/reports/help-center'>>;
export type ArticleReport = HelpReport['articles'][number];
export type UnansweredSearch = HelpReport['unanswered_searches'][number];

/** A page of articles, last updated first: staff get drafts too. */
export function listArticles(query: ArticleQuery, signal?: AbortSignal): Promise<ArticlePage> {
  return api('GET', '/v1/kb/articles', { query, signal });
}

/** An article. `suggested`: opened from the suggestions of the new-ticket form, which the
 * server counts (with the session's customer) for its deflections. */
export function getArticle(id: string, options: { suggested?: boolean; signal?: AbortSignal } = {}): Promise<Article> {
  return api('GET', '/v1/kb/articles/{id}', { path: { id }, ...(options.suggested ? { query: { from: 'suggestion' } } : {}), signal: options.signal });
}

export function createArticle(article: NewArticle): Promise<Article> {
  return api('POST', '/v1/kb/articles', { body: article });
}

export function updateArticle(id: string, changes: ArticleChanges): Promise<Article> {
  return api('PATCH', '/v1/kb/articles/{id}', { path: { id }, body: changes });
}

/** Its translations stay. */
export async function deleteArticle(id: string): Promise<void> {
  await api('DELETE', '/v1/kb/articles/{id}', { path: { id } });
}

/** Markdown as saving it would render it (sanitised HTML), nothing written. */
export async function previewMarkdown(body: string, signal?: AbortSignal): Promise<string> {
  return (await api('POST', '/v1/kb/preview', { body: { body }, signal })).body_html;
}

/** Uploads an image for articles (PNG, JPEG, GIF or WebP, at most 5 MiB), counted in the
 * organisation's storage; sent as a multipart form, as the ticket files are. */
export function uploadImage(file: File): Promise<HelpImage> {
  return api('POST', '/v1/kb/images', { form: { file } });
}

/** Every category, by position (at most 200). */
export function listCategories(signal?: AbortSignal): Promise<Category[]> {
  return api('GET', '/v1/kb/categories', { signal });
}

export function createCategory(category: NewCategory): Promise<Category> {
  return api('POST', '/v1/kb/categories', { body: category });
}

export function updateCategory(id: string, changes: CategoryChanges): Promise<Category> {
  return api('PATCH', '/v1/kb/categories/{id}', { path: { id }, body: changes });
}

/** Its articles are left without a category. */
export async function deleteCategory(id: string): Promise<void> {
  await api('DELETE', '/v1/kb/categories/{id}', { path: { id } });
}

/** The published articles matching `q` (1 to 200 characters), best first, each with a snippet
 * of sanitised HTML marking the words found. */
export async function searchArticles(q: string, limit: number, signal?: AbortSignal): Promise<SearchHit[]> {
  return (await api('GET', '/v1/kb/search', { query: { q, limit }, signal })).data;
}

/** Whether the article helped; `counted` is false for a repeat the same day (and for staff). */
export async function sendFeedback(id: string, helpful: boolean): Promise<boolean> {
  return (await api('POST', '/v1/kb/articles/{id}/feedback', { path: { id }, body: { helpful } })).counted;
}

export function helpCenterReport(query: HelpReportQuery, signal?: AbortSignal): Promise<HelpReport> {
  return api('GET', '/v1/reports/help-center', { query, signal });
}
