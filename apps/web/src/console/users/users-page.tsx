import { Page } from '../../page.js';

/** Placeholder: built in issue 28. */
export function UsersPage() {
  return <Page title="Users">{null}</Page>;
}
