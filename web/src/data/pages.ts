/** The API's cursor pages, and reading a list whole, a bounded number of pages at a time. */

export interface Page<T> {
  data: T[];
  next_cursor?: string | null;
}

/** Every page of a list in the API's order, up to `maxPages` pages. */
export async function allPages<T>(page: (cursor: string | undefined) => Promise<Page<T>>, maxPages: number): Promise<T[]> {
  return (await boundedPages(page, maxPages)).items;
}

/** The pages of a list in the API's order, up to `maxPages` pages; `complete`: the list ended
 * within them (else there is more after `items`). */
export async function boundedPages<T>(page: (cursor: string | undefined) => Promise<Page<T>>, maxPages: number): Promise<{ items: T[]; complete: boolean }> {
  const items: T[] = [];
  let cursor: string | undefined;
  for (let n = 0; n < maxPages; n += 1) {
    const answer = await page(cursor);
    items.push(...answer.data);
    if (!answer.next_cursor) return { items, complete: true };
    cursor = answer.next_cursor;
  }
  return { items, complete: false };
}
