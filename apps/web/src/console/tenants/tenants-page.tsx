import { Page } from '../../page.js';

/** Placeholder: built in issue 28. */
export function TenantsPage() {
  return <Page title="Tenants">{null}</Page>;
}
