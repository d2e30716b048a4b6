import { useCallback, useState } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { describe } from '../api.js';
import { useToast } from './toast.js';

/**
 * Runs a change, then says how it went (a toast, worded from the answer when `done` is a function)
 * and refetches what it touched. Resolves to whether it worked, so a form can clear itself. `busy`
 * is true while one of the component's changes runs.
 */
export function useAction() {
  const queryClient = useQueryClient();
  const notify = useToast();
  const [busy, setBusy] = useState(false);
  const run = useCallback(
    async <T>(
      change: () => Promise<T>,
      done: string | ((result: T) => string),
      touched: readonly (readonly unknown[])[],
    ): Promise<boolean> => {
      setBusy(true);
      try {
        const result = await change();
        notify(typeof done === 'string' ? done : done(result));
        return true;
      } catch (error) {
        notify(describe(error), 'error');
        return false;
      } finally {
        setBusy(false);
        await Promise.all(touched.map((queryKey) => queryClient.invalidateQueries({ queryKey })));
      }
    },
    [notify, queryClient],
  );
  return { run, busy };
}
