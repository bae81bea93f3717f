/**
 * Shows the API's rich text. The server sanitises it already; here it is rebuilt element by
 * element from a short list of tags (anything else keeps only its text), so nothing reaches the
 * page as raw markup and the CSP needs no exception.
 */

import type { ComponentChildren } from 'preact';
import { h } from 'preact';

const TAGS = new Set(['p', 'br', 'strong', 'b', 'em', 'i', 'u', 's', 'code', 'pre', 'blockquote', 'ul', 'ol', 'li', 'a', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'hr', 'sub', 'sup']);
// A heading inside a message must not compete with the page's own outline.
const RENAMED: Record<string, string> = { h1: 'strong', h2: 'strong', h3: 'strong', h4: 'strong', h5: 'strong', h6: 'strong' };

export function RichText({ html, class: className }: { html: string; class?: string }) {
  const body = new DOMParser().parseFromString(html, 'text/html').body;
  return <div class={className ? `rich-text ${className}` : 'rich-text'}>{convert(body.childNodes)}</div>;
}

function convert(nodes: NodeListOf<ChildNode>): ComponentChildren[] {
  return Array.from(nodes, (node, index) => element(node, index));
}

function element(node: ChildNode, key: number): ComponentChildren {
  if (node.nodeType === Node.TEXT_NODE) return node.textContent;
  if (!(node instanceof Element)) return null;
  const tag = node.tagName.toLowerCase();
  const children = convert(node.childNodes);
  if (!TAGS.has(tag)) return h('span', { key }, children);
  if (tag === 'a') return link(node, key, children);
  return h(RENAMED[tag] ?? tag, { key }, ...(tag === 'br' || tag === 'hr' ? [] : children));
}

function link(node: Element, key: number, children: ComponentChildren[]): ComponentChildren {
  const href = node.getAttribute('href') ?? '';
  if (!/^(https?:|mailto:)/i.test(href)) return h('span', { key }, children);
  return h('a', { key, href, rel: 'noopener noreferrer nofollow', target: '_blank' }, children);
}
