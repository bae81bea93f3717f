import { describe, expect, it } from 'vitest';
import { textToHtml } from './text';

describe('textToHtml', () => {
  it('keeps markup as text', () => {
    expect(textToHtml('<script>alert(1)</script> & "x"')).toBe('<p>&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;x&quot;</p>');
  });

  it('makes paragraphs and line breaks', () => {
    expect(textToHtml('Hello,\r\n\r\nMy order\nis late.\n')).toBe('<p>Hello,</p><p>My order<br>is late.</p>');
  });
});
