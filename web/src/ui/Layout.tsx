//! The frame of every page: skip link, header (brand, navigation, language, the signed-in tools
//! and sign-out) and main.

import type { ComponentChildren } from 'preact';
import { useId } from 'preact/hooks';
import { LOCALES, getLocale, setLocale, t, type Locale } from '../i18n';
import { Link } from '../router/router';

export interface NavItem {
  href: string;
  label: string;
  current: boolean;
}

interface LayoutProps {
  children: ComponentChildren;
  /** The organisation's name or slug, beside the brand on tenant hosts. */
  place?: string | undefined;
  nav?: NavItem[];
  /** Signed-in user's name, and how to sign out. */
  user?: { name: string; onSignOut: () => void; signingOut?: boolean } | undefined;
  /** What the signed-in header holds before the user (the notifications bell). */
  tools?: ComponentChildren;
  /** A note above every page (an address still to confirm). */
  banner?: ComponentChildren;
}

export function Layout({ children, place, nav = [], user, tools, banner }: LayoutProps) {
  return (
    <>
      <a class="skip-link" href="#main">
        {t('common.skip_to_content')}
      </a>
      <header class="site-header">
        <div class="site-header-inner">
          <Link href="/" class="brand">
            <span class="brand-mark" aria-hidden="true">
              H
            </span>
            <span>{t('common.app_name')}</span>
            {place ? <span class="brand-place">{place}</span> : null}
          </Link>
          {nav.length ? (
            <nav aria-label={t('common.nav_label')} class="site-nav">
              <ul>
                {nav.map((item) => (
                  <li key={item.href}>
                    <Link href={item.href} aria-current={item.current ? 'page' : undefined}>
                      {item.label}
                    </Link>
                  </li>
                ))}
              </ul>
            </nav>
          ) : null}
          <div class="site-tools">
            <LanguageSwitch />
            {tools}
            {user ? (
              <div class="user">
                <span class="user-name">{user.name}</span>
                <button type="button" class="button button--secondary" onClick={user.onSignOut} disabled={user.signingOut}>
                  {t('common.sign_out')}
                </button>
              </div>
            ) : null}
          </div>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        {banner}
        {children}
      </main>
    </>
  );
}

const NAMES: Record<Locale, string> = { en: 'English', fr: 'Français' };

function LanguageSwitch() {
  const id = useId();
  return (
    <div class="language">
      <label for={id}>{t('common.language')}</label>
      <select id={id} value={getLocale()} onChange={(e) => setLocale(e.currentTarget.value as Locale)}>
        {LOCALES.map((locale) => (
          <option key={locale} value={locale} lang={locale}>
            {NAMES[locale]}
          </option>
        ))}
      </select>
    </div>
  );
}
