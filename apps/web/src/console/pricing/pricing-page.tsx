import { useAuth } from '../../auth.js';
import '../directory.css';
import { CATALOG_KEYS, named, useFeatures, usePricingTiers } from '../catalog/catalog-data.js';
import { CatalogSection } from '../catalog/catalog-section.js';
import { SuperAdminOnly } from '../catalog/super-admin-only.js';

/** A change here changes what tenants' entitlement pickers offer. */
const TOUCHES = [CATALOG_KEYS.pricingTier, CATALOG_KEYS.feature, ['entitlements']] as const;

/** `/console/pricing`: pricing tiers (plans), the features each bundles, and the features themselves. */
export function PricingPage() {
  return (
    <SuperAdminOnly title="Pricing & features">
      <Pricing />
    </SuperAdminOnly>
  );
}

function Pricing() {
  const { client } = useAuth();
  const tiers = usePricingTiers();
  const features = useFeatures();
  return (
    <div className="catalog">
      <p className="hint">Give tiers and features to a tenant on the tenant's page; checks answer features too.</p>
      <CatalogSection
        title="Pricing tiers"
        noun="pricing tier"
        records={tiers}
        toRecord={(t) => ({ id: t.pricingTierId, name: t.name, description: t.description, links: t.features })}
        create={({ id, ...rest }) => client.pricingTiers.create({ pricingTierId: id, ...rest })}
        update={(id, change) => client.pricingTiers.update(id, change)}
        remove={(id) => client.pricingTiers.delete(id)}
        touches={TOUCHES}
        links={{
          noun: 'feature',
          options: (features.data ?? []).map((f) => ({ id: f.featureId, label: named(f.featureId, f.name) })),
          add: (id, featureId) => client.pricingTiers.addFeature(id, featureId),
          remove: (id, featureId) => client.pricingTiers.removeFeature(id, featureId),
        }}
      />
      <CatalogSection
        title="Features"
        noun="feature"
        records={features}
        toRecord={(f) => ({ id: f.featureId, name: f.name, description: f.description })}
        create={({ id, ...rest }) => client.features.create({ featureId: id, ...rest })}
        update={(id, change) => client.features.update(id, change)}
        remove={(id) => client.features.delete(id)}
        touches={TOUCHES}
      />
    </div>
  );
}
