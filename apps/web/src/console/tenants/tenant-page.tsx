import { Page } from '../../page.js';

/** Placeholder: built in issue 28. */
export function TenantPage() {
  return <Page title="Tenant">{null}</Page>;
}
