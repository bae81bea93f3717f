import { describe, expect, it } from 'vitest';
import { prime, takePrimed } from './primed';

describe('primed', () => {
  it('is taken once', () => {
    prime('thread:1:v', ['m'], 1000);
    expect(takePrimed('thread:1:v', 1001)).toEqual(['m']);
    expect(takePrimed('thread:1:v', 1002)).toBeUndefined();
  });

  it('is dropped when not taken soon', () => {
    prime('links:1:v', [], 1000);
    expect(takePrimed('links:1:v', 1000 + 10_000)).toBeUndefined();
  });
});
