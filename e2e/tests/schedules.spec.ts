// Business hours: an admin opens Settings > Business hours (empty at first) and makes a schedule
// from the keyboard, Monday to Friday 9–12 and 14–18 in Europe/Paris with a holiday; an
// overlapping interval is refused beside its row before anything is sent, and an unknown time
// zone beside the zone by the server. Another schedule is made with the Monday-to-Friday preset,
// then deleted after a confirmation in place; the first is changed in place (Saturday morning
// added) and its holidays imported from an iCalendar file, the count said. The API holds what
// the page shows. In English, then in French.
import { expect, test, type Locator, type Page } from '@playwright/test';
import { app, expectAccessible, expectCall, login, openSettings, organisation, screenshot, signInThroughThePage, staff } from './platform';

type Schedule = { name: string; time_zone: string; intervals: { day: string; start: string; end: string }[]; holidays: { date: string; name: string }[] };

/** Adds hours to `day` from the keyboard: its "Add hours" button, then the two times typed. */
async function addHours(page: Page, form: Locator, day: string, n: number, start: string, end: string) {
  await form.getByRole('button', { name: `Add hours on ${day}` }).focus();
  await page.keyboard.press('Enter');
  const row = form.getByRole('group', { name: `${day}, hours ${n}` });
  await expect(row.getByLabel(`${day}: opens`)).toBeFocused();
  await page.keyboard.type(start);
  await page.keyboard.press('Tab');
  await expect(row.getByLabel(`${day}: closes`)).toBeFocused();
  await page.keyboard.type(end);
}

test('schedules: an admin sets business hours, with holidays typed and imported', async ({ page }) => {
  test.setTimeout(180_000);
  const org = await organisation('schedules');
  const admin = await staff(org, 'admin', 'Nadia', 'Roux');
  // The server imports a yearly holiday over this year and the next two.
  const year = new Date().getUTCFullYear();
  const christmas = `${year + 1}-12-25`;

  await signInThroughThePage(page, org.slug, admin.email);
  await expect(page.getByRole('heading', { name: 'Tickets', level: 1 })).toBeVisible();
  await openSettings(page, 'Business hours');
  await expect(page.getByRole('heading', { name: 'Business hours', level: 1 })).toBeVisible();
  await expect(page.getByText('No schedules yet.')).toBeVisible();
  const form = page.locator('form.schedule-form').first();
  await expect(form.getByRole('group', { name: 'Monday' })).toContainText('Closed');

  // From the keyboard: the name, a zone the server does not know, the week, a holiday.
  await form.getByLabel('Name', { exact: true }).focus();
  await page.keyboard.type('Paris office');
  await page.keyboard.press('Tab');
  await expect(form.getByLabel('Time zone')).toBeFocused();
  await page.keyboard.type('Europe/Pariss');
  for (const day of ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday']) {
    await addHours(page, form, day, 1, '09:00', '12:00');
    await addHours(page, form, day, 2, '14:00', '18:00');
  }
  // A third interval on Friday overlaps the morning: refused beside it, before anything is sent.
  await addHours(page, form, 'Friday', 3, '11:00', '13:00');
  await form.getByRole('button', { name: 'Add a holiday' }).focus();
  await page.keyboard.press('Enter');
  const holiday = form.getByRole('group', { name: 'Holiday 1' });
  await expect(holiday.getByLabel('Date')).toBeFocused();
  await holiday.getByLabel('Date').fill(christmas);
  await holiday.getByLabel('Name of the holiday').fill('Noël');
  await form.getByRole('button', { name: 'Create schedule' }).click();
  const overlapping = form.getByRole('group', { name: 'Friday, hours 3' }).getByLabel('Friday: opens');
  await expect(overlapping).toHaveAttribute('aria-invalid', 'true');
  await expect(overlapping).toHaveAccessibleDescription(/These hours overlap other hours of the day\./);
  await expect(overlapping).toBeFocused();
  await form.getByRole('button', { name: 'Remove Friday, hours 3' }).click();
  await expect(form.getByRole('button', { name: 'Remove Friday, hours 2' })).toBeFocused();
  await expect(form.getByRole('group', { name: 'Friday, hours 3' })).toHaveCount(0);

  // The unknown zone, refused by the server, beside the zone.
  await form.getByRole('button', { name: 'Create schedule' }).click();
  const zone = form.getByLabel('Time zone');
  await expect(zone).toHaveAttribute('aria-invalid', 'true');
  await expect(form.getByText('This is not a known time zone.')).toBeVisible();
  await expect(zone).toBeFocused();
  await expectAccessible(page, 'the schedule form with an error');
  await zone.fill('Europe/Paris');
  await form.getByRole('button', { name: 'Create schedule' }).click();
  await expect(page.getByText('The schedule “Paris office” has been created.')).toBeVisible();
  const paris = page.getByRole('listitem', { name: 'Paris office' });
  await expect(paris).toContainText('Europe/Paris');
  await expect(paris.locator('.schedule-week-summary')).toHaveText('Mon–Fri 09:00–12:00, 14:00–18:00');
  await expect(paris).toContainText('1 holiday');
  await expect(paris).toContainText('Noël');
  await expect(form.getByLabel('Name', { exact: true })).toHaveValue('');

  // Another, Monday to Friday 9:00–17:00 at once.
  await form.getByLabel('Name', { exact: true }).fill('Weekend cover');
  await form.getByLabel('Time zone').fill('Europe/London');
  await form.getByRole('button', { name: 'Monday to Friday, 9:00–17:00' }).click();
  await expect(form.getByLabel('Monday: opens')).toHaveValue('09:00');
  await expect(form.getByLabel('Friday: closes')).toHaveValue('17:00');
  await form.getByRole('button', { name: 'Create schedule' }).click();
  await expect(page.getByText('The schedule “Weekend cover” has been created.')).toBeVisible();
  await expect(page.getByText('2 schedules, by name.')).toBeVisible();
  await expect(page.getByRole('listitem', { name: 'Weekend cover' }).locator('.schedule-week-summary')).toHaveText('Mon–Fri 09:00–17:00');

  // Changed in place: Saturday morning added.
  await paris.getByRole('button', { name: 'Edit Paris office' }).click();
  await expect(paris.getByLabel('Name', { exact: true })).toBeFocused();
  await expect(paris.getByRole('group', { name: 'Tuesday, hours 2' }).getByLabel('Tuesday: closes')).toHaveValue('18:00');
  await addHours(page, paris, 'Saturday', 1, '10:00', '12:00');
  await paris.getByRole('button', { name: 'Save changes' }).click();
  await expect(page.getByText('The schedule “Paris office” has been saved.')).toBeVisible();
  await expect(paris.getByRole('button', { name: 'Edit Paris office' })).toBeFocused();
  await expect(paris.locator('.schedule-week-summary')).toHaveText('Mon–Fri 09:00–12:00, 14:00–18:00; Sat 10:00–12:00');

  // Holidays imported from a calendar: one yearly, all-day event.
  const calendar = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//Helpdeskly e2e//EN',
    'BEGIN:VEVENT',
    'UID:fete-nationale@example.org',
    'DTSTAMP:20200101T000000Z',
    'DTSTART;VALUE=DATE:20200714',
    'DTEND;VALUE=DATE:20200715',
    'RRULE:FREQ=YEARLY',
    'SUMMARY:Fête nationale',
    'END:VEVENT',
    'END:VCALENDAR',
    '',
  ].join('\r\n');
  await paris.getByLabel('Import holidays (iCalendar)').setInputFiles({ name: 'jours-feries.ics', mimeType: 'text/calendar', buffer: Buffer.from(calendar) });
  await expect(page.getByText('3 holidays added, 0 events skipped in “Paris office”.')).toBeVisible();
  await expect(paris).toContainText('4 holidays');
  await expect(paris).toContainText('Fête nationale');

  // Not a calendar: said in the row.
  await paris.getByLabel('Import holidays (iCalendar)').setInputFiles({ name: 'notes.ics', mimeType: 'text/calendar', buffer: Buffer.from('not a calendar') });
  await expect(paris.getByRole('alert')).toHaveText('This file is not an iCalendar file (.ics).');
  await expect(paris).toContainText('4 holidays');

  // The other one, deleted after a confirmation in place.
  await page.getByRole('button', { name: 'Delete Weekend cover' }).click();
  await expect(page.getByRole('button', { name: 'Yes, delete Weekend cover' })).toBeFocused();
  await page.getByRole('button', { name: 'Yes, delete Weekend cover' }).click();
  await expect(page.getByText('The schedule “Weekend cover” has been deleted.')).toBeVisible();
  await expect(page.getByRole('listitem', { name: 'Weekend cover' })).toHaveCount(0);
  await expect(page.getByText('1 schedule, by name.')).toBeVisible();
  await expectAccessible(page, 'the business hours page with a schedule');
  await screenshot(page, 'admin-schedules-en');

  // The API holds what the page shows.
  const held = (await expectCall(app(org.slug, 'GET', '/v1/schedules', await login(org.slug, admin.email)), 200)) as unknown as Schedule[];
  const weekday = (day: string) => [
    { day, start: '09:00', end: '12:00' },
    { day, start: '14:00', end: '18:00' },
  ];
  expect(held.map((s) => [s.name, s.time_zone])).toEqual([['Paris office', 'Europe/Paris']]);
  expect(held[0]!.intervals).toEqual([...['mon', 'tue', 'wed', 'thu', 'fri'].flatMap(weekday), { day: 'sat', start: '10:00', end: '12:00' }]);
  expect(held[0]!.holidays).toEqual(
    [
      { date: christmas, name: 'Noël' },
      ...[year, year + 1, year + 2].map((y) => ({ date: `${y}-07-14`, name: 'Fête nationale' })),
    ].sort((a, b) => a.date.localeCompare(b.date)),
  );

  // In French.
  await page.getByLabel('Language').selectOption('fr');
  await expect(page.getByRole('heading', { name: 'Horaires d’ouverture', level: 1 })).toBeVisible();
  const bureau = page.getByRole('listitem', { name: 'Paris office' });
  await expect(bureau.locator('.schedule-week-summary')).toHaveText('lun.–ven. 09:00–12:00, 14:00–18:00 ; sam. 10:00–12:00');
  await expect(bureau).toContainText('4 jours fériés');
  await expect(bureau.getByLabel('Importer des jours fériés (iCalendar)')).toBeVisible();
  await expect(form.getByRole('button', { name: 'Ajouter des heures : Lundi' })).toBeVisible();
  await expect(form.getByRole('button', { name: 'Créer l’horaire' })).toBeVisible();
  await form.getByRole('button', { name: 'Créer l’horaire' }).click();
  await expect(form.getByLabel('Nom', { exact: true })).toHaveAccessibleDescription(/Donnez un nom à l’horaire\./);
  await expect(form.getByLabel('Fuseau horaire')).toHaveAttribute('aria-invalid', 'true');
  await expectAccessible(page, 'la page des horaires d’ouverture');
  await screenshot(page, 'admin-schedules-fr');
});
