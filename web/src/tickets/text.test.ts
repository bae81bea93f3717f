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

describe('textToHtml and web addresses', () => {
  it('makes them links, the punctuation after them left out', () => {
    expect(textToHtml('Reset your password: https://acme.example/help/en/articles/reset-your-password.')).toBe(
      '<p>Reset your password: <a href="https://acme.example/help/en/articles/reset-your-password">https://acme.example/help/en/articles/reset-your-password</a>.</p>',
    );
    expect(textToHtml('See (http://a.example/x?y=1&z=2), then\nhttps://b.example/Foo_(bar)')).toBe(
      '<p>See (<a href="http://a.example/x?y=1&amp;z=2">http://a.example/x?y=1&amp;z=2</a>), then<br><a href="https://b.example/Foo_(bar)">https://b.example/Foo_(bar)</a></p>',
    );
  });

  it('leaves alone what is no web address', () => {
    expect(textToHtml('javascript:alert(1) and https:// and ftp://x.example')).toBe('<p>javascript:alert(1) and https:// and ftp://x.example</p>');
    expect(textToHtml('"https://a.example/<b>"')).toBe('<p>&quot;<a href="https://a.example/">https://a.example/</a>&lt;b&gt;&quot;</p>');
  });
});
