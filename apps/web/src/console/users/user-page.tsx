import { Page } from '../../page.js';

/** Placeholder: built in issue 28. */
export function UserPage() {
  return <Page title="User">{null}</Page>;
}
