// The organisation's name, time zone and language on Settings > Organisation: an owner renames
// it from the keyboard and the header says the new name at once, without a reload; a time zone
// the server does not know is refused beside its field, nothing saved; the zone and the language
// saved are what control-api holds. In English, then in French.
import { expect, test } from '@playwright/test';
import { control, expectAccessible, expectCall, login, openSettings, organisation, screenshot, signInThroughThePage } from './platform';

test('organisation: an owner sets its name, time zone and language, the header following (en, fr)', async ({ page }) => {
  const org = await organisation('orgname');
  await signInThroughThePage(page, org.slug, org.ownerEmail);
  await expect(page.getByRole('heading', { name: 'My tickets', level: 1 })).toBeVisible();
  const banner = page.getByRole('banner');
  await expect(banner.getByText(`${org.slug} SAV`, { exact: true })).toBeVisible();

  await openSettings(page, 'Organisation');
  const panel = page.getByRole('region', { name: 'Name, time zone and language' });
  const name = panel.getByLabel('Name of the organisation');
  const zone = panel.getByLabel('Time zone');
  const language = panel.getByLabel('Default language');
  await expect(name).toHaveValue(`${org.slug} SAV`);
  await expect(zone).toHaveValue('UTC');
  await expect(language).toHaveValue('en');
  await expect(zone).toHaveAccessibleDescription(/An IANA time zone, such as Europe\/Paris/);

  // From the keyboard: a new name, a zone that is none, the language; refused beside the zone.
  await name.focus();
  await page.keyboard.press('Control+A');
  await page.keyboard.type('Maison Dupont Support');
  await page.keyboard.press('Tab');
  await expect(zone).toBeFocused();
  await page.keyboard.press('Control+A');
  await page.keyboard.type('Mars/Olympus_Mons');
  await page.keyboard.press('Tab');
  await expect(language).toBeFocused();
  await language.selectOption('fr');
  await page.keyboard.press('Tab');
  await expect(panel.getByRole('button', { name: 'Save name, time zone and language' })).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(zone).toHaveAttribute('aria-invalid', 'true');
  await expect(zone).toHaveAccessibleDescription(/This is not a time zone: choose one from the list, such as Europe\/Paris\./);
  await expect(zone).toBeFocused();
  await expectAccessible(page, 'the organisation panel with a refusal');
  const unchanged = await expectCall(control('GET', `/v1/tenants/${org.slug}`, { token: await login(org.slug, org.ownerEmail) }), 200);
  expect([unchanged.name, unchanged.time_zone, unchanged.default_locale]).toEqual([`${org.slug} SAV`, 'UTC', 'en']);

  // Corrected: saved, and the header names the organisation anew, without a reload.
  await page.keyboard.press('Control+A');
  await page.keyboard.type('Europe/Paris');
  await expect(zone).not.toHaveAttribute('aria-invalid', 'true');
  await panel.getByRole('button', { name: 'Save name, time zone and language' }).click();
  await expect(panel.getByText('The organisation has been saved.')).toBeVisible();
  await expect(banner.getByText('Maison Dupont Support', { exact: true })).toBeVisible();
  await expect(banner.getByText(`${org.slug} SAV`, { exact: true })).toHaveCount(0);
  const saved = await expectCall(control('GET', `/v1/tenants/${org.slug}`, { token: await login(org.slug, org.ownerEmail) }), 200);
  expect([saved.name, saved.time_zone, saved.default_locale]).toEqual(['Maison Dupont Support', 'Europe/Paris', 'fr']);
  await expectAccessible(page, 'the organisation panel');
  await screenshot(page, 'admin-organisation-en');

  // After a reload, the same.
  await page.reload();
  await expect(banner.getByText('Maison Dupont Support', { exact: true })).toBeVisible();
  await expect(zone).toHaveValue('Europe/Paris');
  await expect(language).toHaveValue('fr');

  // In French: an empty name is refused before anything is sent.
  await page.getByLabel('Language', { exact: true }).selectOption('fr');
  const panneau = page.getByRole('region', { name: 'Nom, fuseau horaire et langue' });
  await expect(panneau.getByLabel('Langue par défaut')).toHaveValue('fr');
  await expect(panneau.getByLabel('Langue par défaut').locator('option:checked')).toHaveText('Français');
  await panneau.getByLabel('Nom de l’organisation').fill('  ');
  await panneau.getByRole('button', { name: 'Enregistrer le nom, le fuseau et la langue' }).click();
  await expect(panneau.getByLabel('Nom de l’organisation')).toHaveAccessibleDescription(/Donnez un nom à l’organisation\./);
  await expect(panneau.getByLabel('Nom de l’organisation')).toBeFocused();
  await panneau.getByLabel('Nom de l’organisation').fill('Maison Dupont');
  await panneau.getByLabel('Fuseau horaire').fill('America/Montreal');
  await panneau.getByRole('button', { name: 'Enregistrer le nom, le fuseau et la langue' }).click();
  await expect(panneau.getByText('L’organisation a été enregistrée.')).toBeVisible();
  await expect(banner.getByText('Maison Dupont', { exact: true })).toBeVisible();
  await expectAccessible(page, 'le panneau de l’organisation');
  const again = await expectCall(control('GET', `/v1/tenants/${org.slug}`, { token: await login(org.slug, org.ownerEmail) }), 200);
  expect([again.name, again.time_zone]).toEqual(['Maison Dupont', 'America/Montreal']);
});
