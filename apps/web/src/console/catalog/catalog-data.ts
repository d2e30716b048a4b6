import type { FormEvent } from 'react';
import { useQuery } from '@tanstack/react-query';
import type { Feature, Page, Permission, PricingTier, Role } from '@tessera/client';
import { useAuth } from '../../auth.js';

/** Most records a picker loads, 100 a page: a catalog is a short list, not a table of customers. */
const MOST = 1000;

/** Every item of a paged list, up to `MOST`: what a picker offers. */
export async function fetchAll<T>(page: (after: string | undefined) => Promise<Page<T>>): Promise<T[]> {
  const items: T[] = [];
  let after: string | undefined;
  do {
    const next = await page(after);
    items.push(...next.items);
    after = next.next ?? undefined;
  } while (after !== undefined && items.length < MOST);
  return items;
}

/** "Support agent (support)" when a record has a name, else its id. */
export function named(id: string, name: string | null | undefined): string {
  return name ? `${name} (${id})` : id;
}

/** Query keys of the catalog: a change invalidates its kind (and `assignable`, which lists roles). */
export const CATALOG_KEYS = {
  role: ['roles'],
  permission: ['permissions'],
  pricingTier: ['pricing-tiers'],
  feature: ['features'],
} as const;

export function useRoles() {
  const { client } = useAuth();
  return useQuery<Role[]>({
    queryKey: CATALOG_KEYS.role,
    queryFn: () => fetchAll((after) => client.roles.list({ limit: 100, after })),
  });
}

export function usePermissions() {
  const { client } = useAuth();
  return useQuery<Permission[]>({
    queryKey: CATALOG_KEYS.permission,
    queryFn: () => fetchAll((after) => client.permissions.list({ limit: 100, after })),
  });
}

export function usePricingTiers() {
  const { client } = useAuth();
  return useQuery<PricingTier[]>({
    queryKey: CATALOG_KEYS.pricingTier,
    queryFn: () => fetchAll((after) => client.pricingTiers.list({ limit: 100, after })),
  });
}

export function useFeatures() {
  const { client } = useAuth();
  return useQuery<Feature[]>({
    queryKey: CATALOG_KEYS.feature,
    queryFn: () => fetchAll((after) => client.features.list({ limit: 100, after })),
  });
}

/** A form's onSubmit running an async handler: the page does not reload, the promise is not left floating. */
export const submit = (handler: () => Promise<unknown>) => (event: FormEvent) => {
  event.preventDefault();
  void handler();
};
