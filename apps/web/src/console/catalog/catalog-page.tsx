import { Page } from '../../page.js';

/** Placeholder: built in issue 28. */
export function CatalogPage() {
  return <Page title="Roles & permissions">{null}</Page>;
}
