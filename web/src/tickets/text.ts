/**
 * What customers type is plain text; the API stores rich text (sanitised HTML). Turning one into
 * the other here keeps what was typed exactly as typed: `<b>` stays visible characters; web
 * addresses become links (a help center article's, put in a reply).
 */

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

/** An `http(s)` address, up to a space, a quote or an angle bracket. */
const URL = /\bhttps?:\/\/[^\s<>"']+/g;
/** What ends a sentence rather than the address before it. */
const TRAILING = /[.,;:!?)\]}]+$/;

/** A line's text escaped, its web addresses made links (the punctuation after one left out). */
function linked(line: string): string {
  let html = '';
  let from = 0;
  for (const match of line.matchAll(URL)) {
    let url = match[0];
    const trailing = TRAILING.exec(url)?.[0] ?? '';
    // A closing parenthesis belongs to the address when it opened one ("…/Foo_(bar)").
    const keep = trailing.startsWith(')') && url.slice(0, -trailing.length).includes('(') ? 1 : 0;
    url = url.slice(0, url.length - trailing.length + keep);
    if (!/^https?:\/\/[^/?#]/.test(url)) continue;
    html += escapeHtml(line.slice(from, match.index)) + `<a href="${escapeHtml(url)}">${escapeHtml(url)}</a>`;
    from = match.index + url.length;
  }
  return html + escapeHtml(line.slice(from));
}

/** Paragraphs at blank lines, line breaks within them. */
export function textToHtml(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .trim()
    .split(/\n{2,}/)
    .map((paragraph) => `<p>${paragraph.split('\n').map(linked).join('<br>')}</p>`)
    .join('');
}
