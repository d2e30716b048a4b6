import { createContext, useCallback, useContext, useMemo, useRef, useState, type ReactNode } from 'react';

export type ToastKind = 'ok' | 'error';
interface Toast {
  id: number;
  kind: ToastKind;
  text: string;
}

const Context = createContext<((text: string, kind?: ToastKind) => void) | null>(null);

/** How long a message stays; errors stay until dismissed. */
const SHOWN_MS = 6000;

/**
 * Messages after an action ("Session ended"), announced to screen readers: a polite status region
 * for results, an alert for failures.
 */
export function ToastProvider({ children }: { children: ReactNode }) {
  const [toasts, setToasts] = useState<Toast[]>([]);
  const next = useRef(0);
  const dismiss = useCallback((id: number) => setToasts((all) => all.filter((t) => t.id !== id)), []);
  const notify = useCallback(
    (text: string, kind: ToastKind = 'ok') => {
      const id = ++next.current;
      setToasts((all) => [...all.slice(-3), { id, kind, text }]);
      if (kind === 'ok') setTimeout(() => dismiss(id), SHOWN_MS);
    },
    [dismiss],
  );
  const value = useMemo(() => notify, [notify]);
  return (
    <Context.Provider value={value}>
      {children}
      <div className="toasts" aria-live="polite">
        {toasts.map((t) => (
          <div key={t.id} className={`toast ${t.kind}`} role={t.kind === 'error' ? 'alert' : undefined}>
            <span>{t.text}</span>
            <button type="button" className="link" aria-label="Dismiss message" onClick={() => dismiss(t.id)}>
              ×
            </button>
          </div>
        ))}
      </div>
    </Context.Provider>
  );
}

/** `notify('Session ended')` after an action; `notify(describe(e), 'error')` when it failed. */
export function useToast(): (text: string, kind?: ToastKind) => void {
  const notify = useContext(Context);
  if (!notify) throw new Error('useToast outside ToastProvider');
  return notify;
}
