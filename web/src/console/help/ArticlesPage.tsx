/**
 * The help center's articles (everyone on the staff): searched by the words of their titles,
 * filtered by language, status and category (the filters live in the address), last changed
 * first, read a page at a time; the way to write a new one, and to the public pages.
 */

import { useId } from 'preact/hooks';
import { listArticles, type ArticleSummary, type Category } from '../../data/helpCenter';
import { useResource } from '../../data/resource';
import { formatDateTime, getLocale, t, tn } from '../../i18n';
import { Link, navigate, useLocation } from '../../router/router';
import { publicHelpPath } from '../../helpCenter/links';
import { useMember } from '../../tenant/member';
import { SelectField } from '../../ui/Field';
import { useSubmit } from '../../ui/hooks';
import { Page } from '../../ui/Page';
import { Loaded, LoadMore, Notice } from '../../ui/status';
import {
  ARTICLE_STATUSES,
  HELP_LOCALES,
  LOCALE_LABEL,
  STATUS_LABEL,
  categoryName,
  filtersHref,
  listQuery,
  parseFilters,
  withPage,
  type ArticleFilters,
  type ArticleList,
} from '../helpCenter';
import { deletedState } from './state';
import { useCategories } from './useCategories';
import { SearchForm } from '../../ui/SearchForm';

const PAGE_SIZE = 25;

export function ArticlesPage() {
  const { slug } = useMember();
  const location = useLocation();
  const filters = parseFilters(location.query);
  const href = filtersHref(filters);
  const list = useResource<ArticleList>(`kb-articles:${slug}:${href}`, async (signal) => {
    const page = await listArticles(listQuery(filters, PAGE_SIZE), signal);
    return { items: page.data, cursor: page.next_cursor ?? null };
  });
  const categories = useCategories();
  const more = useSubmit();
  const deleted = deletedState(location.state);
  const listId = useId();
  const filtered = href !== '/help-center';

  const change = (next: ArticleFilters) => navigate(filtersHref(next), { replace: true });
  const loadMore = () =>
    void more.run(async () => {
      const cursor = list.data?.cursor;
      if (!cursor) return;
      const page = await listArticles(listQuery(filters, PAGE_SIZE, cursor));
      list.setData((shown) => (shown ? withPage(shown, page) : shown));
    });

  return (
    <Page
      title={t('help.articles.title')}
      actions={
        <Link href="/help-center/new" class="button">
          {t('help.articles.new')}
        </Link>
      }
    >
      <p class="lead">{t('help.articles.lead')}</p>
      <p>
        <a href={publicHelpPath(getLocale())}>{t('help.articles.public')}</a>
      </p>
      {deleted ? <Notice tone="success">{t('help.article.deleted', { title: deleted })}</Notice> : null}
      <ArticleFilterBar filters={filters} categories={categories.data ?? []} onChange={change} />
      <div class="queue-status" role="status">
        {list.data ? <span>{tn(list.data.cursor ? 'help.articles.count_more' : 'help.articles.count', list.data.items.length)}</span> : null}
      </div>
      <Loaded resource={list} empty={(shown) => shown.items.length === 0 && t(filtered ? 'help.articles.none_found' : 'help.articles.empty')}>
        {(shown) => (
          <ul class="ticket-list help-list" id={listId} aria-label={t('help.articles.list')} aria-busy={list.loading ? 'true' : undefined}>
            {shown.items.map((article) => (
              <ArticleRow key={article.id} article={article} categories={categories.data ?? []} />
            ))}
          </ul>
        )}
      </Loaded>
      <LoadMore more={more} label={t('help.articles.load_more')} onMore={list.data?.cursor ? loadMore : null} />
    </Page>
  );
}

function ArticleFilterBar({ filters, categories, onChange }: { filters: ArticleFilters; categories: Category[]; onChange: (next: ArticleFilters) => void }) {
  const locale = getLocale();
  return (
    <div class="filters">
      <SearchForm query={filters.q} label={t('help.articles.search')} hint={t('help.articles.search_hint')} submitLabel={t('help.articles.search_submit')} onSearch={(q) => onChange({ ...filters, q })} />
      <div class="filter-fields">
        <SelectField
          label={t('help.filter.locale')}
          name="locale"
          value={filters.locale}
          onValue={(v) => onChange({ ...filters, locale: v as ArticleFilters['locale'] })}
          options={[{ value: '', label: t('help.filter.any_locale') }, ...HELP_LOCALES.map((l) => ({ value: l, label: t(LOCALE_LABEL[l]) }))]}
        />
        <SelectField
          label={t('help.filter.status')}
          name="status"
          value={filters.status}
          onValue={(v) => onChange({ ...filters, status: v as ArticleFilters['status'] })}
          options={[{ value: '', label: t('help.filter.any_status') }, ...ARTICLE_STATUSES.map((s) => ({ value: s, label: t(STATUS_LABEL[s]) }))]}
        />
        {categories.length || filters.categoryId ? (
          <SelectField
            label={t('help.filter.category')}
            name="category_id"
            value={filters.categoryId}
            onValue={(v) => onChange({ ...filters, categoryId: v })}
            options={[
              { value: '', label: t('help.filter.any_category') },
              ...categories.map((c) => ({ value: c.id, label: categoryName(c, locale) })),
              // A category not (or no longer) known stays chosen as the address has it.
              ...(filters.categoryId && !categories.some((c) => c.id === filters.categoryId) ? [{ value: filters.categoryId, label: t('help.category.unknown') }] : []),
            ]}
          />
        ) : null}
      </div>
    </div>
  );
}

function ArticleRow({ article, categories }: { article: ArticleSummary; categories: Category[] }) {
  const category = article.category_id ? categories.find((c) => c.id === article.category_id) : undefined;
  const published = article.status === 'published';
  return (
    <li class="ticket-row help-row">
      <div class="ticket-row-main">
        <Link href={`/help-center/articles/${article.id}`} class="ticket-row-link" lang={article.locale}>
          {article.title}
        </Link>
        <p class="ticket-row-meta">
          {category ? <span>{t('help.articles.in_category', { name: categoryName(category, getLocale()) })} · </span> : null}
          <span>{t('help.articles.changed', { time: formatDateTime(article.updated_at) })}</span>
          {article.published_at && published ? <span> · {t('help.articles.published_at', { time: formatDateTime(article.published_at) })}</span> : null}
        </p>
      </div>
      <p class="badges">
        <span class="badge">{t(LOCALE_LABEL[article.locale])}</span>
        <span class={published ? 'badge badge--ok' : 'badge badge--warn'}>{t(STATUS_LABEL[article.status])}</span>
      </p>
    </li>
  );
}
