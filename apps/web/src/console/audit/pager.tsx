import { useState } from 'react';

/**
 * Cursor paging of API.md's lists: the cursors of the pages seen so far, so "Previous" goes back
 * without the API having to page backwards.
 */
export function usePager() {
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  return {
    after: cursors[cursors.length - 1],
    page: cursors.length,
    next: (cursor: string) => setCursors((all) => [...all, cursor]),
    previous: () => setCursors((all) => (all.length > 1 ? all.slice(0, -1) : all)),
    reset: () => setCursors([undefined]),
  };
}

/** "Previous · Page 2 · Next" under a list. */
export function Pager({
  pager,
  next,
  label,
}: {
  pager: ReturnType<typeof usePager>;
  next: string | null;
  label: string;
}) {
  if (pager.page === 1 && next === null) return null;
  return (
    <nav className="pager" aria-label={`${label} pages`}>
      <button type="button" className="secondary" disabled={pager.page === 1} onClick={pager.previous}>
        Previous
      </button>
      <span>Page {pager.page}</span>
      <button type="button" className="secondary" disabled={next === null} onClick={() => next && pager.next(next)}>
        Next
      </button>
    </nav>
  );
}
