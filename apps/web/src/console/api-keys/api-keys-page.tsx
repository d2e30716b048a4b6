import { Page } from '../../page.js';

/** Placeholder: built in issue 28. */
export function ApiKeysPage() {
  return <Page title="API keys">{null}</Page>;
}
