import { describe, expect, it } from 'vitest';
import { articleLinkText, insertText, publicArticlePath, publicArticleUrl, publicHelpPath } from './links';

describe('the public pages', () => {
  it('are under /help in the language asked for', () => {
    expect(publicHelpPath('en')).toBe('/help/en');
    expect(publicHelpPath('fr')).toBe('/help/fr');
    expect(publicArticlePath('fr', 'reinitialiser-son-mot-de-passe')).toBe('/help/fr/articles/reinitialiser-son-mot-de-passe');
  });

  it('make a full address on this host, whatever the slug holds', () => {
    expect(publicArticleUrl('https://acme.helpdeskly.example', 'en', 'reset-your-password')).toBe('https://acme.helpdeskly.example/help/en/articles/reset-your-password');
    expect(publicArticleUrl('http://acme.localhost:6501/', 'en', 'a b/c')).toBe('http://acme.localhost:6501/help/en/articles/a%20b%2Fc');
  });
});

describe('an article link in a reply', () => {
  it('reads as its title and address, punctuated in the article’s language', () => {
    expect(articleLinkText('Reset your password', 'https://x/help/en/articles/reset', 'en')).toBe('Reset your password: https://x/help/en/articles/reset');
    expect(articleLinkText('  Réinitialiser   son mot de passe ', 'https://x/help/fr/articles/r', 'fr')).toBe('Réinitialiser son mot de passe : https://x/help/fr/articles/r');
  });

  it('goes where the cursor is, set apart from the words around it', () => {
    expect(insertText('', 0, 0, 'LINK')).toEqual({ text: 'LINK', caret: 4 });
    expect(insertText('Hello,\n', 7, 7, 'LINK')).toEqual({ text: 'Hello,\nLINK', caret: 11 });
    expect(insertText('See  here', 4, 4, 'LINK')).toEqual({ text: 'See LINK here', caret: 8 });
    expect(insertText('Seehere', 3, 3, 'LINK')).toEqual({ text: 'See LINK here', caret: 9 });
    expect(insertText('Read this.', 10, 10, 'LINK')).toEqual({ text: 'Read this. LINK', caret: 15 });
  });

  it('takes the place of what was selected', () => {
    expect(insertText('Read [here] please', 5, 11, 'LINK')).toEqual({ text: 'Read LINK please', caret: 9 });
    // Selected backwards.
    expect(insertText('Read [here] please', 11, 5, 'LINK')).toEqual({ text: 'Read LINK please', caret: 9 });
  });

  it('goes at the end when the cursor is not known', () => {
    expect(insertText('Thanks', Number.NaN, Number.NaN, 'LINK')).toEqual({ text: 'Thanks LINK', caret: 11 });
    expect(insertText('Thanks', 99, 120, 'LINK')).toEqual({ text: 'Thanks LINK', caret: 11 });
  });
});
