import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { useLocation } from 'react-router';
import type { User } from '@tessera/client';
import { describe } from '../../api.js';
import { useAuth } from '../../auth.js';
import { navigate } from '../../router.js';
import { useToast } from '../../ui/toast.js';
import { ErrorAlert } from '../../ui/error-alert.js';

const CHOICES_MINUTES = [5, 15, 30, 60, 120, 240, 480];

/** The time limits offered: the usual ones under the server's cap, and the cap itself. */
export function timeLimits(maxSeconds: number): number[] {
  const capMinutes = Math.floor(maxSeconds / 60);
  const under = CHOICES_MINUTES.filter((m) => m < capMinutes);
  return capMinutes >= 1 ? [...under, capMinutes] : under;
}

const label = (minutes: number) =>
  minutes % 60 === 0 ? `${minutes / 60} hour${minutes === 60 ? '' : 's'}` : `${minutes} minutes`;

/**
 * "Act as" on a user page: asks why (kept in the audit event) and for how long (within the cap),
 * then runs the app as that user. Shown only when the API said this person may.
 */
export function ActAs({ user, maxSeconds }: { user: User; maxSeconds: number }) {
  const { ownClient, startActing } = useAuth();
  const notify = useToast();
  const { pathname } = useLocation();
  const dialog = useRef<HTMLDialogElement>(null);
  const [open, setOpen] = useState(false);
  const limits = timeLimits(maxSeconds);
  const [minutes, setMinutes] = useState(() => limits.find((m) => m >= 15) ?? limits[limits.length - 1] ?? 1);
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const titleId = useId();
  const who = user.email ?? user.userId;

  useEffect(() => {
    if (open) dialog.current?.showModal();
    else dialog.current?.close();
  }, [open]);

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!ownClient || reason.trim() === '') return;
    setBusy(true);
    setError(null);
    try {
      const seconds = Math.min(minutes * 60, maxSeconds);
      const { token, session } = await ownClient.admin.createSessionToken({
        userId: user.userId,
        reason: reason.trim(),
        lifetime: seconds,
        expiration: seconds,
      });
      setOpen(false);
      startActing({
        token,
        sessionId: session.id,
        userId: user.userId,
        label: who,
        reason: reason.trim(),
        endsAt: Date.parse(session.absoluteExpiresAt),
        returnTo: pathname,
      });
      notify(`Acting as ${who}.`);
      navigate('/');
    } catch (e) {
      setError(describe(e));
    } finally {
      setBusy(false);
    }
  }

  return (
    <>
      <button type="button" onClick={() => setOpen(true)}>
        Act as {who}
      </button>
      {open && (
        <dialog ref={dialog} aria-labelledby={titleId} onClose={() => setOpen(false)} className="confirm">
          <form onSubmit={(e) => void submit(e)}>
            <h2 id={titleId}>Act as {who}</h2>
            <p className="hint">
              The app runs as this user until you stop or the time limit ends. Your own session stays signed in. The
              reason is kept in the audit log.
            </p>
            <label htmlFor="act-reason">Reason</label>
            <textarea
              id="act-reason"
              required
              maxLength={500}
              rows={3}
              value={reason}
              onChange={(e) => setReason(e.target.value)}
              placeholder="e.g. Ticket 4211: the invoices page is empty"
            />
            <label htmlFor="act-limit">Time limit</label>
            <select id="act-limit" value={minutes} onChange={(e) => setMinutes(Number(e.target.value))}>
              {limits.map((m) => (
                <option key={m} value={m}>
                  {label(m)}
                </option>
              ))}
            </select>
            <ErrorAlert message={error} />
            <div className="actions">
              <button type="button" className="secondary" onClick={() => setOpen(false)}>
                Cancel
              </button>
              <button type="submit" disabled={busy || reason.trim() === ''}>
                Start acting
              </button>
            </div>
          </form>
        </dialog>
      )}
    </>
  );
}
