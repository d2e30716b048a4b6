import type { ReactNode } from 'react';
import type { UseQueryResult } from '@tanstack/react-query';
import { describe } from '../api.js';

/**
 * Loading and error states of a query, the same on every page: children render once data is there.
 */
export function QueryState<T>({ query, children }: { query: UseQueryResult<T>; children: (data: T) => ReactNode }) {
  if (query.isPending) return <p aria-busy="true">Loading…</p>;
  if (query.isError)
    return (
      <div className="error" role="alert">
        <p>{describe(query.error)}</p>
        <button type="button" onClick={() => void query.refetch()}>
          Try again
        </button>
      </div>
    );
  return <>{children(query.data)}</>;
}
