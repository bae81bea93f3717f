/**
 * Writing an article (`/help-center/new`, or `?translation_of=…&locale=fr` to translate one) and
 * changing one (`/help-center/articles/{id}`): the form, then, for an article saved, its
 * public page once published, its translations (and the way to write the missing one), and its
 * deletion after a confirmation in place.
 */

import { useLayoutEffect, useRef, useState } from 'preact/hooks';
import { createArticle, deleteArticle, getArticle, listArticles, updateArticle, type Article } from '../../data/helpCenter';
import { useResource } from '../../data/resource';
import { formatDateTime, getLocale, t } from '../../i18n';
import { publicArticlePath } from '../../helpCenter/links';
import { Link, navigate, useLocation } from '../../router/router';
import { useMember } from '../../tenant/member';
import { useSubmit } from '../../ui/hooks';
import { Page } from '../../ui/Page';
import { ErrorAlert, Loaded, Notice } from '../../ui/status';
import {
  LOCALE_LABEL,
  LOCALE_WORD,
  STATUS_LABEL,
  articleChanges,
  articleFormValues,
  emptyArticle,
  isHelpLocale,
  missingLocales,
  newArticleRequest,
  parseNewArticle,
  translateHref,
} from '../helpCenter';
import { ArticleForm } from './ArticleForm';
import { createdState, type CreatedState, type DeletedState } from './state';
import { useCategories } from './useCategories';
import { Panel } from '../../ui/Panel';

function BackLink() {
  return (
    <p class="breadcrumb">
      <Link href="/help-center">{t('help.article.back')}</Link>
    </p>
  );
}

export function NewArticlePage() {
  const { slug } = useMember();
  const location = useLocation();
  const uiLocale = getLocale();
  const start = parseNewArticle(location.query, isHelpLocale(uiLocale) ? uiLocale : 'en');
  const categories = useCategories();
  // What a new article may translate: the latest hundred, drafts included.
  const articles = useResource(`kb-translatable:${slug}`, async (signal) => (await listArticles({ limit: 100 }, signal)).data);
  const translates = start.translationOf ? articles.data?.find((a) => a.id === start.translationOf) : undefined;
  return (
    <Page title={t('help.new.title')}>
      <BackLink />
      {translates ? <p class="lead">{t('help.new.translating', { title: translates.title, locale: t(LOCALE_WORD[start.locale]) })}</p> : <p class="lead">{t('help.new.lead')}</p>}
      <section class="panel">
        <ArticleForm
          key={location.query.toString()}
          initial={emptyArticle(start)}
          editing={false}
          categories={categories.data ?? []}
          translatable={articles.data}
          submitLabel={t('help.form.create')}
          onSave={async (values) => {
            const made = await createArticle(newArticleRequest(values));
            navigate(`/help-center/articles/${made.id}`, { state: { createdArticle: made.title } satisfies CreatedState });
          }}
        />
      </section>
    </Page>
  );
}

export function ArticlePage({ id }: { id: string }) {
  const { slug } = useMember();
  const article = useResource(`kb-article:${slug}:${id}`, (signal) => getArticle(id, { signal }));
  const created = createdState(useLocation().state);
  return (
    <Page title={article.data?.title ?? t('help.edit.title')}>
      <BackLink />
      <Loaded resource={article}>{(shown) => <Editor article={shown} created={created} onSaved={(saved) => article.setData(() => saved)} />}</Loaded>
    </Page>
  );
}

function Editor({ article, created, onSaved }: { article: Article; created: string | null; onSaved: (article: Article) => void }) {
  const categories = useCategories();
  const [notice, setNotice] = useState<string | null>(created ? t('help.article.created', { title: created }) : null);
  const saved = articleFormValues(article);
  return (
    <>
      {notice ? <Notice tone="success">{notice}</Notice> : null}
      <ArticleFacts article={article} />
      <Panel title={t('help.edit.form')}>
        <ArticleForm
          initial={saved}
          editing
          categories={categories.data ?? []}
          submitLabel={t('help.form.save')}
          onSave={async (values) => {
            setNotice(null);
            const changes = articleChanges(saved, values);
            if (!Object.keys(changes).length) return void setNotice(t('help.article.unchanged'));
            const next = await updateArticle(article.id, changes);
            onSaved(next);
            setNotice(t('help.article.saved', { title: next.title }));
          }}
        />
      </Panel>
      <Translations article={article} />
      <DeleteArticle article={article} />
    </>
  );
}

/** Where the article stands: its status and language, its public page once published. */
function ArticleFacts({ article }: { article: Article }) {
  const published = article.status === 'published';
  return (
    <div class="article-facts">
      <p class="badges">
        <span class="badge">{t(LOCALE_LABEL[article.locale])}</span>
        <span class={published ? 'badge badge--ok' : 'badge badge--warn'}>{t(STATUS_LABEL[article.status])}</span>
      </p>
      <p class="hint">
        {t('help.articles.changed', { time: formatDateTime(article.updated_at) })}
        {published && article.published_at ? ` · ${t('help.articles.published_at', { time: formatDateTime(article.published_at) })}` : ''}
      </p>
      {published ? (
        <p>
          <a href={publicArticlePath(article.locale, article.slug)}>{t('help.article.view_public')}</a>
        </p>
      ) : (
        <p class="hint">{t('help.article.draft_hint')}</p>
      )}
    </div>
  );
}

function Translations({ article }: { article: Article }) {
  const missing = missingLocales(article);
  return (
    <Panel title={t('help.translations.title')}>
      {article.translations.length ? (
        <ul class="help-translations" aria-label={t('help.translations.list', { title: article.title })}>
          {article.translations.map((tr) => (
            <li key={tr.id}>
              <Link href={`/help-center/articles/${tr.id}`} lang={tr.locale}>
                {tr.title}
              </Link>{' '}
              <span class="badge">{t(LOCALE_LABEL[tr.locale])}</span>{' '}
              <span class={tr.status === 'published' ? 'badge badge--ok' : 'badge badge--warn'}>{t(STATUS_LABEL[tr.status])}</span>
            </li>
          ))}
        </ul>
      ) : (
        <p class="hint">{t('help.translations.none')}</p>
      )}
      {missing.map((locale) => (
        <p key={locale}>
          <Link href={translateHref(article, locale)} class="button button--secondary">
            {t('help.translations.write', { locale: t(LOCALE_WORD[locale]) })}
          </Link>
        </p>
      ))}
    </Panel>
  );
}

function DeleteArticle({ article }: { article: Article }) {
  const [asking, setAsking] = useState(false);
  const submission = useSubmit();
  const yes = useRef<HTMLButtonElement>(null);
  const ask = useRef<HTMLButtonElement>(null);
  const back = useRef(false);
  useLayoutEffect(() => {
    if (asking) yes.current?.focus();
    else if (back.current) ask.current?.focus();
    back.current = false;
  }, [asking]);
  const remove = () =>
    void submission.run(async () => {
      await deleteArticle(article.id);
      navigate('/help-center', { state: { deletedArticle: article.title } satisfies DeletedState });
    });
  return (
    <Panel title={t('help.delete.title')}>
      <p class="hint">{t('help.delete.hint')}</p>
      <div class="actions">
        {asking ? (
          <>
            <span>{t('help.delete.confirm', { title: article.title })}</span>
            <button ref={yes} type="button" class="button button--danger" disabled={submission.busy} onClick={remove}>
              {t('help.delete.yes')}
            </button>
            <button
              type="button"
              class="button button--secondary"
              onClick={() => {
                back.current = true;
                setAsking(false);
              }}
            >
              {t('help.delete.cancel')}
            </button>
          </>
        ) : (
          <button ref={ask} type="button" class="button button--danger" onClick={() => setAsking(true)}>
            {t('help.delete.ask')}
          </button>
        )}
      </div>
      <ErrorAlert error={submission.error} />
    </Panel>
  );
}
