import type { ReactNode } from 'react';
import { useAuth } from '../../auth.js';
import { Page } from '../../page.js';

/** A console page only super admins may use (the API refuses everyone else): others get a sentence. */
export function SuperAdminOnly({ title, children }: { title: string; children: ReactNode }) {
  const { access } = useAuth();
  if (!access.superAdmin)
    return (
      <Page title={title}>
        <p>Only super admins manage this.</p>
      </Page>
    );
  return <Page title={title}>{children}</Page>;
}
