import { useEffect, useState } from 'react';
import { useAuth } from '../../auth.js';
import { navigate } from '../../router.js';
import { useToast } from '../../ui/toast.js';

const minutesLeft = (endsAt: number) => Math.max(0, Math.ceil((endsAt - Date.now()) / 60_000));

/**
 * On every page while acting as someone: who, why, the time left, and Stop. Stop ends the
 * impersonation session and returns to the person's own session, which was kept aside all along.
 */
export function ActingBanner() {
  const { acting, stopActing } = useAuth();
  const notify = useToast();
  const [left, setLeft] = useState(() => (acting ? minutesLeft(acting.endsAt) : 0));

  useEffect(() => {
    if (!acting) return;
    const tick = () => {
      setLeft(minutesLeft(acting.endsAt));
      // The server ends it at the limit; the app returns to the person's own session then.
      if (Date.now() >= acting.endsAt)
        void stopActing().then((back) => {
          notify(`The time limit ended acting as ${acting.label}.`);
          navigate(back);
        });
    };
    tick();
    const timer = setInterval(tick, 5_000);
    return () => clearInterval(timer);
  }, [acting, stopActing, notify]);

  if (!acting) return null;
  async function stop() {
    const label = acting!.label;
    const back = await stopActing();
    notify(`Stopped acting as ${label}.`);
    navigate(back);
  }
  return (
    <div className="acting" role="region" aria-label="Impersonation">
      <p>
        Acting as <strong data-testid="acting-as">{acting.label}</strong> for <q>{acting.reason}</q>:{' '}
        <span data-testid="acting-left">
          {left} {left === 1 ? 'minute' : 'minutes'} left
        </span>
      </p>
      <button type="button" className="danger" onClick={() => void stop()}>
        Stop
      </button>
    </div>
  );
}
