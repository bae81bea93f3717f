/**
 * The frame of every page: skip link, header (brand, the area's links, language, the signed-in
 * tools and the account menu), the area's sidebar when it has one (the console), and main.
 * Below 900 px the sidebar folds away behind the header's Menu button.
 */

import type { ComponentChildren } from 'preact';
import { useId, useRef, useState } from 'preact/hooks';
import { LOCALES, getLocale, setLocale, t, type Locale } from '../i18n';
import { Link } from '../router/router';
import { useDismiss } from './hooks';
import type { NavItem } from './nav';
import { UserMenu, type UserMenuProps } from './UserMenu';

interface LayoutProps {
  children: ComponentChildren;
  /** The organisation's name or slug, beside the brand on tenant hosts. */
  place?: string | undefined;
  /** The area's links in the header (the portal). */
  nav?: NavItem[];
  /** The area's navigation as a sidebar instead (the console): the content of the "Main" nav. */
  sidebar?: ComponentChildren;
  /** The signed-in person: their menu (own pages, sign out). */
  user?: UserMenuProps | undefined;
  /** What the signed-in header holds before the account menu (the live status, the bell). */
  tools?: ComponentChildren;
  /** A note above every page (an address still to confirm). */
  banner?: ComponentChildren;
}

export function Layout({ children, place, nav = [], sidebar, user, tools, banner }: LayoutProps) {
  // The sidebar on phones: opened below the header by the Menu button, closed by a link
  // followed, Escape or a press outside.
  const [open, setOpen] = useState(false);
  const sidebarId = useId();
  const button = useRef<HTMLButtonElement>(null);
  const panel = useRef<HTMLElement>(null);
  useDismiss(open, () => setOpen(false), button, panel);

  const main = (
    <main id="main" tabIndex={-1}>
      {banner}
      {children}
    </main>
  );
  return (
    <>
      <a class="skip-link" href="#main">
        {t('common.skip_to_content')}
      </a>
      <header class="site-header">
        <div class={sidebar ? 'site-header-inner site-header-inner--app' : 'site-header-inner'}>
          {sidebar ? (
            <button ref={button} type="button" class="menu-button" aria-expanded={open} aria-controls={sidebarId} onClick={() => setOpen((o) => !o)}>
              <svg class="icon" viewBox="0 0 24 24" width="20" height="20" aria-hidden="true" focusable="false">
                <path d="M4 6.5h16M4 12h16M4 17.5h16" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" />
              </svg>
              {t('common.menu')}
            </button>
          ) : null}
          <Link href="/" class="brand">
            <span class="brand-mark" aria-hidden="true">
              H
            </span>
            <span class="brand-name">{t('common.app_name')}</span>
            {place ? <span class="brand-place">{place}</span> : null}
          </Link>
          {nav.length ? (
            <nav aria-label={t('common.nav_label')} class="site-nav">
              <ul>
                {nav.map((item) => (
                  <li key={item.href}>
                    {item.external ? (
                      <a href={item.href}>
                        {item.label}
                      </a>
                    ) : (
                      <Link href={item.href} aria-current={item.current ? 'page' : undefined}>
                        {item.label}
                      </Link>
                    )}
                  </li>
                ))}
              </ul>
            </nav>
          ) : null}
          <div class="site-tools">
            <LanguageSwitch />
            {tools}
            {user ? <UserMenu {...user} /> : null}
          </div>
        </div>
      </header>
      {sidebar ? (
        <div class="shell">
          <nav
            id={sidebarId}
            ref={panel}
            class={open ? 'sidebar sidebar--open' : 'sidebar'}
            aria-label={t('common.nav_label')}
            onClick={(event) => {
              if ((event.target as Element).closest('a')) setOpen(false);
            }}
          >
            <div class="sidebar-inner">{sidebar}</div>
          </nav>
          {main}
        </div>
      ) : (
        main
      )}
    </>
  );
}

const NAMES: Record<Locale, string> = { en: 'English', fr: 'Français' };

function LanguageSwitch() {
  const id = useId();
  return (
    <div class="language">
      <label for={id}>{t('common.language')}</label>
      <select id={id} value={getLocale()} onChange={(e) => void setLocale(e.currentTarget.value as Locale)}>
        {LOCALES.map((locale) => (
          <option key={locale} value={locale} lang={locale}>
            {NAMES[locale]}
          </option>
        ))}
      </select>
    </div>
  );
}
