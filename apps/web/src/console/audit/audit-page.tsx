import { Page } from '../../page.js';

/** Placeholder: built in issue 28. */
export function AuditPage() {
  return <Page title="Audit log">{null}</Page>;
}
