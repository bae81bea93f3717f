/**
 * A list's search: the words typed, sent (trimmed) when the form is submitted; the words shown
 * follow the list's when those change from elsewhere (the address, a link).
 */

import { useEffect, useId, useState } from 'preact/hooks';

export function SearchForm({ query, label, hint, submitLabel, onSearch }: { query: string; label: string; hint: string; submitLabel: string; onSearch: (query: string) => void }) {
  const [q, setQ] = useState(query);
  useEffect(() => setQ(query), [query]);
  const id = useId();
  return (
    <form
      class="search"
      role="search"
      onSubmit={(e) => {
        e.preventDefault();
        onSearch(q.trim());
      }}
    >
      <label for={id}>{label}</label>
      <div class="search-row">
        <input id={id} type="search" name="q" value={q} maxLength={200} onInput={(e) => setQ(e.currentTarget.value)} aria-describedby={`${id}-hint`} />
        <button type="submit" class="button button--secondary">
          {submitLabel}
        </button>
      </div>
      <p class="field-hint" id={`${id}-hint`}>
        {hint}
      </p>
    </form>
  );
}
