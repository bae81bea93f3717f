/**
 * An article's HTML (and a search's snippet) as the server sends it: sanitised there already, and
 * rebuilt here element by element from a short list of tags, as messages are (`RichText`), so
 * nothing reaches the page as raw markup and the CSP needs no exception. Articles keep more
 * than messages: tables, the help center's own images, marked words; their headings keep their
 * distance to the article's title wherever that title stands (`html.ts`).
 */

import type { ComponentChildren } from 'preact';
import { h } from 'preact';
import { IMAGES_PATH, articleHeading } from './html';

const TAGS = new Set([
  'p', 'br', 'strong', 'b', 'em', 'i', 'u', 's', 'del', 'ins', 'mark', 'code', 'pre', 'kbd', 'blockquote', 'ul', 'ol', 'li', 'a', 'hr', 'sub', 'sup',
  'table', 'thead', 'tbody', 'tfoot', 'tr', 'th', 'td', 'img', 'dl', 'dt', 'dd',
]);
const HEADING = /^h([1-6])$/;

/** `level`: the level of the heading the article sits under here (its title, or the preview's),
 * which an article's `#` takes: its `##` comes a level below. */
export function ArticleHtml({ html, level = 2, inline = false, class: className }: { html: string; level?: number; inline?: boolean; class?: string }) {
  const body = new DOMParser().parseFromString(html, 'text/html').body;
  const children = convert(body.childNodes, level);
  const classes = ['article-html', className].filter(Boolean).join(' ');
  return inline ? <span class={classes}>{children}</span> : <div class={classes}>{children}</div>;
}

function convert(nodes: NodeListOf<ChildNode>, level: number): ComponentChildren[] {
  return Array.from(nodes, (node, index) => element(node, index, level));
}

function element(node: ChildNode, key: number, level: number): ComponentChildren {
  if (node.nodeType === Node.TEXT_NODE) return node.textContent;
  if (!(node instanceof Element)) return null;
  const tag = node.tagName.toLowerCase();
  const heading = HEADING.exec(tag);
  if (heading) return h(articleHeading(Number(heading[1]), level), { key }, ...convert(node.childNodes, level));
  if (!TAGS.has(tag)) return h('span', { key }, ...convert(node.childNodes, level));
  if (tag === 'img') return image(node, key);
  if (tag === 'br' || tag === 'hr') return h(tag, { key });
  const children = convert(node.childNodes, level);
  if (tag === 'a') return link(node, key, children);
  if (tag === 'ol') return h('ol', { key, start: Number(node.getAttribute('start')) || undefined }, ...children);
  return h(tag, { key }, ...children);
}

function link(node: Element, key: number, children: ComponentChildren[]): ComponentChildren {
  const href = node.getAttribute('href') ?? '';
  // The help center's own pages (a path on this host) and the web's; nothing else.
  const allowed = /^(https?:|mailto:)/i.test(href) || (href.startsWith('/') && !href.startsWith('//') && !href.startsWith('/\\'));
  if (!allowed) return h('span', { key }, ...children);
  return h('a', { key, href, rel: 'noopener noreferrer nofollow', target: '_blank' }, ...children);
}

function image(node: Element, key: number): ComponentChildren {
  const src = node.getAttribute('src') ?? '';
  if (!src.startsWith(IMAGES_PATH) || src.includes('..')) return null;
  return h('img', { key, src, alt: node.getAttribute('alt') ?? '', loading: 'lazy' });
}
