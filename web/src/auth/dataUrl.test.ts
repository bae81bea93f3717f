import { describe, expect, it } from 'vitest';
import { recoveryCodesText, svgDataUrl } from './dataUrl';

describe('svgDataUrl', () => {
  it('encodes the document as base64, UTF-8 included', () => {
    const svg = '<svg xmlns="http://www.w3.org/2000/svg"><title>é</title></svg>';
    const url = svgDataUrl(svg);
    expect(url.startsWith('data:image/svg+xml;base64,')).toBe(true);
    const decoded = new TextDecoder().decode(Uint8Array.from(atob(url.split(',')[1]!), (c) => c.charCodeAt(0)));
    expect(decoded).toBe(svg);
  });
});

describe('recoveryCodesText', () => {
  it('puts one code a line under a heading', () => {
    expect(recoveryCodesText(['a', 'b'], 'Codes')).toBe('Codes\n\na\nb\n');
  });
});
