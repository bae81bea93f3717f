/**
 * A label in English and in French shown as two facts of a list (`<dl>`), each marked with its
 * language; a French one missing said as such (`noFrench`).
 */

export function BilingualFacts({ labels, values, noFrench }: { labels: { en: string; fr: string }; values: { en: string; fr?: string | null | undefined }; noFrench: string }) {
  return (
    <>
      <div>
        <dt>{labels.en}</dt>
        <dd lang="en">{values.en}</dd>
      </div>
      <div>
        <dt>{labels.fr}</dt>
        <dd lang={values.fr ? 'fr' : undefined}>{values.fr ?? noFrench}</dd>
      </div>
    </>
  );
}
