import { useId, useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import { useAuth } from '../../auth.js';
import { QueryState } from '../../ui/query-state.js';
import { named, useFeatures, usePricingTiers, submit } from '../catalog/catalog-data.js';
import { useAction } from '../../ui/action.js';

type Kind = 'pricingTier' | 'feature';
const NOUN: Record<Kind, string> = { pricingTier: 'pricing tier', feature: 'feature' };

/** A tenant's pricing tiers and features given directly (super admins only): give and take them. */
export function EntitlementsSection({ tenantId }: { tenantId: string }) {
  const { client } = useAuth();
  const { run, busy } = useAction();
  const tiers = usePricingTiers();
  const features = useFeatures();
  const given = useQuery({
    queryKey: ['entitlements', tenantId],
    queryFn: () => client.entitlements.of({ tenantId }),
  });
  const [choice, setChoice] = useState('');
  const headingId = useId();
  const selectId = useId();
  const keys = [['entitlements', tenantId]] as const;
  const owner = { tenantId };
  const change = (add: boolean, kind: Kind, id: string) => {
    const call =
      kind === 'pricingTier'
        ? add
          ? () => client.entitlements.givePricingTier(owner, id)
          : () => client.entitlements.takePricingTier(owner, id)
        : add
          ? () => client.entitlements.giveFeature(owner, id)
          : () => client.entitlements.takeFeature(owner, id);
    return run(call, add ? `Gave the ${NOUN[kind]} ${id}.` : `Took the ${NOUN[kind]} ${id} away.`, keys);
  };
  return (
    <section aria-labelledby={headingId} className="card">
      <h2 id={headingId}>Entitlements</h2>
      <p className="hint">Pricing tiers and features this tenant has; its members have them too in checks.</p>
      <QueryState query={given}>
        {(has) => {
          const heldTiers = new Set(has.pricingTiers);
          const heldFeatures = new Set(has.features);
          const offerTiers = (tiers.data ?? []).filter((t) => !heldTiers.has(t.pricingTierId));
          const offerFeatures = (features.data ?? []).filter((f) => !heldFeatures.has(f.featureId));
          return (
            <>
              {(['pricingTier', 'feature'] as const).map((kind) => {
                const ids = kind === 'pricingTier' ? has.pricingTiers : has.features;
                return (
                  <div className="grants" key={kind}>
                    <span className="hint">{kind === 'pricingTier' ? 'Pricing tiers' : 'Features'}:</span>
                    <ul
                      className="chips"
                      aria-label={kind === 'pricingTier' ? 'Pricing tiers given' : 'Features given'}
                    >
                      {ids.length === 0 && <li className="muted">none</li>}
                      {ids.map((id) => (
                        <li key={id} className={kind === 'pricingTier' ? 'chip' : 'chip outline'}>
                          {id}
                          <button
                            type="button"
                            aria-label={`Take ${NOUN[kind]} ${id}`}
                            disabled={busy}
                            onClick={() => void change(false, kind, id)}
                          >
                            ×
                          </button>
                        </li>
                      ))}
                    </ul>
                  </div>
                );
              })}
              {offerTiers.length + offerFeatures.length > 0 && (
                <form
                  className="grant"
                  onSubmit={submit(async () => {
                    const [kind, ...rest] = choice.split(':');
                    if (!rest.length) return;
                    if (await change(true, kind as Kind, rest.join(':'))) setChoice('');
                  })}
                >
                  <label htmlFor={selectId}>Give this tenant</label>
                  <select id={selectId} value={choice} onChange={(e) => setChoice(e.target.value)} required>
                    <option value="">Choose a pricing tier or feature…</option>
                    {offerTiers.length > 0 && (
                      <optgroup label="Pricing tiers">
                        {offerTiers.map((t) => (
                          <option key={t.pricingTierId} value={`pricingTier:${t.pricingTierId}`}>
                            {named(t.pricingTierId, t.name)}
                          </option>
                        ))}
                      </optgroup>
                    )}
                    {offerFeatures.length > 0 && (
                      <optgroup label="Features">
                        {offerFeatures.map((f) => (
                          <option key={f.featureId} value={`feature:${f.featureId}`}>
                            {named(f.featureId, f.name)}
                          </option>
                        ))}
                      </optgroup>
                    )}
                  </select>
                  <button type="submit" disabled={busy || !choice}>
                    Give
                  </button>
                </form>
              )}
            </>
          );
        }}
      </QueryState>
    </section>
  );
}
