import { useEffect, useId, useRef, useState, type ReactNode } from 'react';

interface ConfirmProps {
  /** The button that opens the question. */
  label: string;
  /** A fuller name for the button when its label alone is ambiguous (one "End" per row). */
  ariaLabel?: string;
  /** The question's heading, e.g. "End all sessions of ada@example.com?" */
  title: string;
  /** What will happen, in a sentence or two. */
  children?: ReactNode;
  /** The button that does it ("End sessions"). */
  confirmLabel: string;
  /** When set, the person types this (an email, a name) before the action is enabled. */
  typeToConfirm?: string;
  /** Danger styling for what cannot be undone. */
  danger?: boolean;
  disabled?: boolean;
  onConfirm: () => unknown;
}

/**
 * A button that asks before a destructive action, in a modal <dialog> (focus stays inside, Escape
 * closes). With `typeToConfirm`, the action needs the exact text typed first.
 */
export function ConfirmButton({
  label,
  ariaLabel,
  title,
  children,
  confirmLabel,
  typeToConfirm,
  danger = true,
  disabled,
  onConfirm,
}: ConfirmProps) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [open, setOpen] = useState(false);
  const [typed, setTyped] = useState('');
  const titleId = useId();
  const inputId = useId();
  useEffect(() => {
    if (open) dialog.current?.showModal();
    else dialog.current?.close();
  }, [open]);
  const ready = typeToConfirm === undefined || typed === typeToConfirm;
  return (
    <>
      <button
        type="button"
        className={danger ? 'danger' : undefined}
        aria-label={ariaLabel}
        disabled={disabled}
        onClick={() => setOpen(true)}
      >
        {label}
      </button>
      {open && (
        <dialog ref={dialog} aria-labelledby={titleId} onClose={() => setOpen(false)} className="confirm">
          <form
            method="dialog"
            onSubmit={(event) => {
              event.preventDefault();
              if (!ready) return;
              setOpen(false);
              setTyped('');
              void onConfirm();
            }}
          >
            <h2 id={titleId}>{title}</h2>
            {children}
            {typeToConfirm !== undefined && (
              <p>
                <label htmlFor={inputId}>
                  Type <strong>{typeToConfirm}</strong> to confirm
                </label>
                <input id={inputId} value={typed} onChange={(e) => setTyped(e.target.value)} autoComplete="off" />
              </p>
            )}
            <div className="actions">
              <button type="button" className="secondary" onClick={() => setOpen(false)}>
                Cancel
              </button>
              <button type="submit" className={danger ? 'danger' : 'primary'} disabled={!ready}>
                {confirmLabel}
              </button>
            </div>
          </form>
        </dialog>
      )}
    </>
  );
}
