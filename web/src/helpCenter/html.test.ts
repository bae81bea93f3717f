import { describe, expect, it } from 'vitest';
import { articleHeading } from './html';

describe('articleHeading', () => {
  it('puts an article’s headings below the page’s own', () => {
    expect(articleHeading(1, 2)).toBe('h2');
    expect(articleHeading(2, 2)).toBe('h3');
    expect(articleHeading(1, 3)).toBe('h3');
    expect(articleHeading(3, 3)).toBe('h5');
  });

  it('never goes past h6', () => {
    expect(articleHeading(6, 2)).toBe('h6');
    expect(articleHeading(5, 3)).toBe('h6');
  });
});
