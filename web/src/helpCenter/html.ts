/** What the article renderer (`ArticleHtml.tsx`) decides without a DOM. */

/** Where the help center's images are served: the only images an article shows. */
export const IMAGES_PATH = '/help/images/';

/** The heading an article's `h{n}` becomes under a heading of `level` (the article's title on
 * its public page is an `h1`, and its `##` an `h2`: the same distance here), never past h6. */
export function articleHeading(n: number, level: number): Heading {
  const shifted = Math.min(6, Math.max(1, Math.round(n) + Math.max(1, Math.round(level)) - 1));
  return `h${shifted}` as Heading;
}

type Heading = 'h1' | 'h2' | 'h3' | 'h4' | 'h5' | 'h6';
