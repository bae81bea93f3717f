import { describe, expect, it } from 'vitest';
import { allPages, boundedPages, type Page } from './pages';

/** A list of `total` numbers served `size` at a time, the cursors asked for kept. */
function served(total: number, size: number) {
  const asked: (string | undefined)[] = [];
  const page = async (cursor: string | undefined): Promise<Page<number>> => {
    asked.push(cursor);
    const from = cursor ? Number(cursor) : 0;
    const to = Math.min(from + size, total);
    return { data: Array.from({ length: to - from }, (_, i) => from + i), next_cursor: to < total ? String(to) : null };
  };
  return { asked, page };
}

describe('reading a list a page at a time', () => {
  it('reads every page of a list that ends within the bound, and says it is whole', async () => {
    const list = served(5, 2);
    expect(await boundedPages(list.page, 3)).toEqual({ items: [0, 1, 2, 3, 4], complete: true });
    expect(list.asked).toEqual([undefined, '2', '4']);
  });

  it('stops at the bound and says there is more', async () => {
    const list = served(7, 2);
    expect(await boundedPages(list.page, 3)).toEqual({ items: [0, 1, 2, 3, 4, 5], complete: false });
    expect(list.asked).toHaveLength(3);
    expect(await allPages(served(7, 2).page, 3)).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('knows an empty list is whole', async () => {
    expect(await boundedPages(served(0, 2).page, 3)).toEqual({ items: [], complete: true });
  });
});
