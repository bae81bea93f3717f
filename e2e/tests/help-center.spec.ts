// The help center: an admin makes a category and writes an English article in the console (an
// address refused before sending, an image refused by the server then one put where the cursor was
// from the keyboard, the preview rendered by the server showing it), publishes it (its public page
// shows the image too), then writes its French translation from the article's page (an address
// another article has, refused by the server beside the field); the public pages the server renders
// show them and pass axe. A customer typing a subject in the new-ticket form is offered the
// article, reads it in a dialog above the form, says it helped and goes back to the form with the
// subject kept. An agent puts the article's link into a reply from the keyboard, and the customer's
// thread shows it as a link. The admin's help center report counts the suggested view and the vote,
// and lists a search that found nothing. axe on the editor and the report, in English and in
// French.
import { expect, test, type Locator, type Page } from '@playwright/test';
import { type Org, type Person, app, customer, expectAccessible, expectCall, login, organisation, signInThroughThePage, staff, tenantUrl } from './platform';

// Access tokens may be short in these runs: each call through the API signs in afresh.
const as = (org: Org, who: Person | { email: string }) => login(org.slug, who.email);

const main = (page: Page) => page.getByRole('navigation', { name: 'Main' });

// A valid PNG of one pixel.
const PIXEL = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');

/** The image's width once the browser has it (0 until then, and for one that failed). */
const loadedWidth = (image: Locator) => image.evaluate((img: HTMLImageElement) => (img.complete ? img.naturalWidth : 0));

test('help center: an admin writes an article and its translation, a customer is offered it, an agent links to it, the report counts it', async ({ page, browser }) => {
  test.setTimeout(240_000);
  const org = await organisation('help');
  const [admin, agent, buyer] = await Promise.all([staff(org, 'admin', 'Nadia', 'Roux'), staff(org, 'agent', 'Inès', 'Moreau'), customer(org, 'Léa', 'Martin')]);
  const ticket = await expectCall(app(org.slug, 'POST', '/v1/tickets', await as(org, buyer), { subject: 'Accès impossible', description: 'Je ne peux plus me connecter.' }), 201);
  const ticketId = ticket.id as number;
  await expectCall(app(org.slug, 'POST', `/v1/tickets/${ticketId}/assign`, await as(org, agent), { assigned_to: agent.id }), 200);
  const origin = tenantUrl(org.slug);

  // The admin: a category first.
  await signInThroughThePage(page, org.slug, admin.email);
  await expect(page.getByRole('heading', { name: 'Tickets', level: 1 })).toBeVisible();
  await main(page).getByRole('link', { name: 'Categories', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Help center categories', level: 1 })).toBeVisible();
  await expect(page.getByText('No categories yet.')).toBeVisible();
  await page.getByRole('button', { name: 'Create category' }).click();
  await expect(page.getByLabel('English name')).toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByLabel('English name')).toBeFocused();
  await page.getByLabel('English name').fill('Your account');
  await page.getByLabel('French name (optional)').fill('Votre compte');
  await page.getByLabel('Position (optional)').fill('1');
  await page.getByRole('button', { name: 'Create category' }).click();
  await expect(page.getByText('The category “Your account” has been created.')).toBeVisible();
  await expect(page.getByRole('listitem', { name: 'Your account' })).toContainText('Votre compte');
  await expectAccessible(page, 'the help center categories');

  // The article list, empty, then the editor.
  const articlesLink = main(page).getByRole('link', { name: 'Articles', exact: true });
  await articlesLink.click();
  await expect(page.getByRole('heading', { name: 'Help center', level: 1 })).toBeVisible();
  await expect(articlesLink).toHaveAttribute('aria-current', 'page');
  await expect(page.getByText('No articles yet.')).toBeVisible();
  await page.getByRole('link', { name: 'New article' }).click();
  await expect(page.getByRole('heading', { name: 'New article', level: 1 })).toBeVisible();
  const editor = page.locator('form.article-form');
  await editor.getByLabel('Title').fill('Reset your password');
  await expect(editor.getByLabel('Language')).toHaveValue('en');
  await editor.getByLabel('Category').selectOption({ label: 'Your account' });
  const body = editor.getByLabel('Text (Markdown)');
  await body.fill('Open **Forgot password** on the sign-in page.\n\n## Steps\n\n1. Type your email address.\n2. Follow the link we send you.');

  // An image: a file that is no image is refused by the server, the text left as it was; then a
  // PNG from the keyboard, put after the first paragraph where the cursor was.
  const imageFile = editor.locator('input[type="file"]');
  await expect(imageFile).toHaveAttribute('accept', 'image/png,image/jpeg,image/gif,image/webp');
  await imageFile.setInputFiles({ name: 'notes.png', mimeType: 'image/png', buffer: Buffer.from('These are notes, not an image.\n') });
  await expect(editor.getByRole('alert')).toHaveText(/This file is not an image the help center takes|This file’s content is not the image its name says/);
  await expect(body).toHaveValue(/^Open \*\*Forgot password\*\* on the sign-in page\.\n\n## Steps\n/);
  await body.focus();
  await page.keyboard.press('Control+Home');
  await page.keyboard.press('End');
  await page.keyboard.press('Tab');
  const insertImage = editor.getByRole('button', { name: 'Insert image' });
  await expect(insertImage).toBeFocused();
  const chooser = page.waitForEvent('filechooser');
  await page.keyboard.press('Enter');
  await (await chooser).setFiles({ name: 'Forgot password link.png', mimeType: 'image/png', buffer: PIXEL });
  await expect(editor.getByText('The image “Forgot password link.png” is in the text.')).toBeVisible();
  await expect(editor.getByRole('alert')).toHaveCount(0);
  const imageLine = /^Open \*\*Forgot password\*\* on the sign-in page\.\n\n!\[Forgot password link\]\(\/help\/images\/[^)\s]+\)\n\n## Steps\n/;
  await expect(body).toHaveValue(imageLine);
  await expect(body).toBeFocused();
  // The cursor right after the image.
  expect(await body.evaluate((box: HTMLTextAreaElement) => box.value.slice(0, box.selectionStart))).toMatch(/\(\/help\/images\/[^)\s]+\)$/);
  await expect(insertImage).toBeEnabled();

  await editor.getByRole('button', { name: 'Preview' }).click();
  const preview = page.getByRole('region', { name: 'Preview' });
  await expect(preview.locator('strong')).toHaveText('Forgot password');
  const previewImage = preview.getByRole('img', { name: 'Forgot password link' });
  await expect(previewImage).toHaveAttribute('src', /\/help\/images\//);
  await previewImage.scrollIntoViewIfNeeded();
  await expect.poll(() => loadedWidth(previewImage), { message: 'the image shown in the preview' }).toBeGreaterThan(0);
  await expect(preview.getByRole('heading', { name: 'Steps', level: 3 })).toBeVisible();
  await expect(preview.getByRole('listitem')).toHaveCount(2);
  await expect(preview).toContainText('The text as readers will see it.');
  await expectAccessible(page, 'the article editor with its preview');

  // An address the form refuses before sending; then published with the one made from the title.
  await editor.getByLabel('Address (slug, optional)').fill('Reset Password');
  await editor.getByRole('button', { name: 'Create article' }).click();
  await expect(editor.getByLabel('Address (slug, optional)')).toHaveAttribute('aria-invalid', 'true');
  await expect(editor.getByLabel('Address (slug, optional)')).toBeFocused();
  await expect(editor.getByText('Use lower-case letters, digits and single hyphens between them')).toBeVisible();
  await editor.getByLabel('Address (slug, optional)').fill('');
  await editor.getByLabel('Status').selectOption({ label: 'Published' });
  await editor.getByRole('button', { name: 'Create article' }).click();
  await expect(page.getByRole('heading', { name: 'Reset your password', level: 1 })).toBeVisible();
  await expect(page.getByText('The article “Reset your password” has been created.')).toBeVisible();
  await expect(page.getByRole('link', { name: 'View public page' })).toHaveAttribute('href', '/help/en/articles/reset-your-password');
  const englishId = new URL(page.url()).pathname.split('/').pop()!;

  // The French translation, from the article's page: an address taken is refused by the server.
  await page.getByRole('link', { name: 'Write the French version' }).click();
  await expect(page.getByRole('heading', { name: 'New article', level: 1 })).toBeVisible();
  await expect(page.getByText('Translating “Reset your password” into French.')).toBeVisible();
  await expect(editor.getByLabel('Language')).toHaveValue('fr');
  await expect(editor.getByLabel('Translation of')).toHaveValue(englishId);
  await expect(editor.getByLabel('Category')).toHaveValue(/.+/);
  await editor.getByLabel('Title').fill('Réinitialiser votre mot de passe');
  await editor.getByLabel('Text (Markdown)').fill('Ouvrez **Mot de passe oublié** sur la page de connexion.');
  await editor.getByLabel('Address (slug, optional)').fill('reset-your-password');
  await editor.getByLabel('Status').selectOption({ label: 'Published' });
  await editor.getByRole('button', { name: 'Create article' }).click();
  await expect(editor.getByText('Another article already has this address.')).toBeVisible();
  await expect(editor.getByLabel('Address (slug, optional)')).toBeFocused();
  await editor.getByLabel('Address (slug, optional)').fill('reinitialiser-votre-mot-de-passe');
  await editor.getByRole('button', { name: 'Create article' }).click();
  await expect(page.getByRole('heading', { name: 'Réinitialiser votre mot de passe', level: 1 })).toBeVisible();
  const translations = page.getByRole('list', { name: 'Translations of “Réinitialiser votre mot de passe”' });
  await expect(translations.getByRole('link', { name: 'Reset your password' })).toBeVisible();
  await expect(page.getByRole('link', { name: 'View public page' })).toHaveAttribute('href', '/help/fr/articles/reinitialiser-votre-mot-de-passe');

  // Both in the list, filtered by language.
  await articlesLink.click();
  const list = page.getByRole('list', { name: 'Articles, last changed first' });
  await expect(list.getByRole('link')).toHaveCount(2);
  await expect(list.getByRole('link', { name: 'Réinitialiser votre mot de passe' })).toBeVisible();
  await page.locator('.filters').getByLabel('Language').selectOption('en');
  await expect(list.getByRole('link')).toHaveText(['Reset your password']);
  await expect(page).toHaveURL(/\/help-center\?locale=en$/);
  await expectAccessible(page, 'the list of articles');

  // The public pages, rendered by the server.
  await page.goto(`${origin}/help/en/articles/reset-your-password`);
  await expect(page.getByRole('heading', { name: 'Reset your password', level: 1 })).toBeVisible();
  await expect(page.locator('article strong')).toHaveText('Forgot password');
  const publicImage = page.locator('article').getByRole('img', { name: 'Forgot password link' });
  await expect(publicImage).toHaveAttribute('src', /\/help\/images\//);
  await publicImage.scrollIntoViewIfNeeded();
  await expect.poll(() => loadedWidth(publicImage), { message: 'the image shown on the public page' }).toBeGreaterThan(0);
  await expectAccessible(page, 'the public article page');
  await page.goto(`${origin}/help/fr`);
  await expect(page.getByRole('heading', { name: /Centre d.aide/, level: 1 })).toBeVisible();
  await expect(page.getByRole('link', { name: 'Réinitialiser votre mot de passe' })).toBeVisible();
  await expectAccessible(page, 'the public help center in French');

  // A search by a visitor that finds nothing, for the report.
  const nothing = await expectCall(app(org.slug, 'GET', `/v1/kb/search?q=${encodeURIComponent('Colis  cassé')}&locale=fr`, ''), 200);
  expect(nothing.data).toEqual([]);

  // The customer: the help center in the portal's navigation; the article offered as the
  // subject is typed, read in a dialog, rated, and the form kept.
  const home = await browser.newContext();
  const portal = await home.newPage();
  await signInThroughThePage(portal, org.slug, buyer.email);
  await expect(portal.getByRole('heading', { name: 'My tickets' })).toBeVisible();
  await expect(portal.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Help center' })).toHaveAttribute('href', '/help/en');
  await portal.getByRole('link', { name: 'Open a ticket' }).click();
  await portal.getByLabel('Subject').fill('I forgot my password');
  const suggestions = portal.getByRole('region', { name: 'These articles may answer your question' });
  const suggestion = suggestions.getByRole('button', { name: 'Reset your password' });
  await expect(suggestion).toBeVisible();
  await expect(suggestions.locator('mark').first()).toBeVisible();
  await expectAccessible(portal, 'the new ticket form with its suggestions');
  await suggestion.focus();
  await portal.keyboard.press('Enter');
  const reader = portal.getByRole('dialog', { name: 'Reset your password' });
  await expect(reader).toBeVisible();
  await expect(reader.locator('strong')).toHaveText('Forgot password');
  await expect(reader.getByRole('heading', { name: 'Reset your password', level: 2 })).toBeFocused();
  await expectAccessible(portal, 'a suggested article');
  await reader.getByRole('button', { name: 'Yes' }).click();
  await expect(reader.getByText('Thank you for your feedback! Glad it helped.')).toBeVisible();
  await expect(reader.getByRole('button', { name: 'Yes' })).toHaveCount(0);
  await reader.getByRole('button', { name: 'Back to my request' }).click();
  await expect(reader).toBeHidden();
  await expect(portal.getByLabel('Subject')).toHaveValue('I forgot my password');
  await expect(suggestion).toBeFocused();

  // The agent: the article's link put into the reply where the cursor is, from the keyboard.
  const desk = await browser.newContext();
  const agentPage = await desk.newPage();
  await signInThroughThePage(agentPage, org.slug, agent.email);
  await expect(agentPage.getByRole('heading', { name: 'Tickets', level: 1 })).toBeVisible();
  await agentPage.goto(`${origin}/tickets/${ticketId}`);
  await expect(agentPage.getByRole('heading', { name: 'Accès impossible', level: 1 })).toBeVisible();
  // Agents write articles but keep no categories.
  await expect(main(agentPage).getByRole('link', { name: 'Articles', exact: true })).toBeVisible();
  await expect(main(agentPage).getByRole('link', { name: 'Categories', exact: true })).toHaveCount(0);
  const replyBox = agentPage.getByLabel('Your reply to the customer');
  await replyBox.fill('Hello,\n\nHere is how:');
  await agentPage.getByRole('button', { name: 'Insert article link' }).focus();
  await agentPage.keyboard.press('Enter');
  const picker = agentPage.getByRole('dialog', { name: 'Insert a help center article link' });
  await expect(picker).toBeVisible();
  const find = picker.getByRole('combobox', { name: 'Find an article' });
  await expect(find).toBeFocused();
  await agentPage.keyboard.type('reset password');
  await expect(picker.getByRole('option', { name: /Reset your password/ })).toHaveAttribute('aria-selected', 'true');
  await expectAccessible(agentPage, 'the article link picker');
  await agentPage.keyboard.press('Enter');
  await expect(picker).toBeHidden();
  const url = `${origin}/help/en/articles/reset-your-password`;
  await expect(replyBox).toHaveValue(`Hello,\n\nHere is how: Reset your password: ${url}`);
  await expect(replyBox).toBeFocused();
  await agentPage.keyboard.type(' Best regards.');
  await expect(replyBox).toHaveValue(`Hello,\n\nHere is how: Reset your password: ${url} Best regards.`);
  await agentPage.getByRole('button', { name: 'Send reply' }).click();
  const reply = agentPage.getByRole('article', { name: /^Reply by You/ });
  await expect(reply.getByRole('link', { name: url })).toHaveAttribute('href', url);
  await desk.close();
  await portal.goto(`${origin}/tickets/${ticketId}`);
  await expect(portal.getByRole('link', { name: url })).toHaveAttribute('href', url);
  await home.close();

  // The admin's report: the suggested view and the vote, and the search that found nothing.
  await page.goto(`${origin}/admin/reports`);
  await expect(page.getByRole('heading', { name: 'Ticket reports', level: 1 })).toBeVisible();
  const reportLink = main(page).getByRole('link', { name: 'Help center report', exact: true });
  await reportLink.focus();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { name: 'Help center report', level: 1 })).toBeVisible();
  await expect(reportLink).toHaveAttribute('aria-current', 'page');
  const articles = page.getByRole('table', { name: 'Articles read in the period, most viewed first' });
  const row = articles.getByRole('row').filter({ has: page.getByRole('rowheader', { name: 'Reset your password', exact: true }) });
  // Title, then language, views, helpful, not helpful, suggested views, deflections.
  await expect(row.getByRole('cell')).toHaveText(['English', '2', '1', '0', '1', '0']);
  const searches = page.getByRole('table', { name: 'Searches that found nothing, most made first' });
  await expect(searches.getByRole('row').filter({ has: page.getByRole('rowheader', { name: 'colis casse', exact: true }) }).getByRole('cell')).toHaveText(['French', '1']);
  await expectAccessible(page, 'the help center report');

  // In French: the report, then the editor.
  await page.getByLabel('Language').selectOption('fr');
  await expect(page.getByRole('heading', { name: 'Rapport du centre d’aide', level: 1 })).toBeVisible();
  await expect(page.getByRole('table', { name: 'Articles lus sur la période, les plus vus d’abord' }).getByRole('rowheader', { name: 'Reset your password' })).toBeVisible();
  await expectAccessible(page, 'the help center report in French');
  await page.goto(`${origin}/help-center/articles/${englishId}`);
  await expect(page.getByRole('heading', { name: 'Reset your password', level: 1 })).toBeVisible();
  await expect(editor.getByLabel('Titre')).toHaveValue('Reset your password');
  await editor.getByRole('button', { name: 'Prévisualiser' }).click();
  await expect(page.getByRole('region', { name: 'Aperçu' }).locator('strong')).toHaveText('Forgot password');
  await expectAccessible(page, 'the article editor in French');

  // Saved in place: only what changed is sent; back to draft, the public page goes.
  await editor.getByLabel('Statut').selectOption({ label: 'Brouillon' });
  await editor.getByRole('button', { name: 'Enregistrer les modifications' }).click();
  await expect(page.getByText('L’article « Reset your password » a été enregistré.')).toBeVisible();
  await expect(page.getByRole('link', { name: 'Voir la page publique' })).toHaveCount(0);
  const saved = await expectCall(app(org.slug, 'GET', `/v1/kb/articles/${englishId}`, await as(org, admin)), 200);
  expect([saved.status, saved.slug]).toEqual(['draft', 'reset-your-password']);
});
