import type { BUILT_IN_PERMISSIONS, BUILT_IN_ROLES } from '@tessera/client';
import { useAuth } from '../../auth.js';
import '../directory.css';
import { CATALOG_KEYS, named, usePermissions, useRoles } from './catalog-data.js';
import { CatalogSection } from './catalog-section.js';
import { SuperAdminOnly } from './super-admin-only.js';

/** Built in from the first start and not deletable; the types keep this list in step with the API's. */
const BUILT_IN_ROLE: Record<(typeof BUILT_IN_ROLES)[number], true> = {
  admin: true,
  manager: true,
  member: true,
  super_admin: true,
};
const BUILT_IN_PERMISSION: Record<(typeof BUILT_IN_PERMISSIONS)[number], true> = {
  'view-self-service-dashboard': true,
  'impersonate-users': true,
};

/** Changing roles or permissions changes what every tenant page's pickers offer. */
const TOUCHES = [CATALOG_KEYS.role, CATALOG_KEYS.permission, ['assignable']] as const;

/** `/console/catalog`: the roles and permissions your code checks, and which permissions each role holds. */
export function CatalogPage() {
  return (
    <SuperAdminOnly title="Roles & permissions">
      <Catalog />
    </SuperAdminOnly>
  );
}

function Catalog() {
  const { client } = useAuth();
  const roles = useRoles();
  const permissions = usePermissions();
  return (
    <div className="catalog">
      <p className="hint">
        Your code checks permissions; roles bundle them. Grant either to people in a tenant on the tenant's page.
      </p>
      <CatalogSection
        title="Roles"
        noun="role"
        records={roles}
        toRecord={(r) => ({ id: r.roleId, name: r.name, description: r.description, links: r.permissions })}
        builtIn={Object.keys(BUILT_IN_ROLE)}
        create={({ id, ...rest }) => client.roles.create({ roleId: id, ...rest })}
        update={(id, change) => client.roles.update(id, change)}
        remove={(id) => client.roles.delete(id)}
        touches={TOUCHES}
        links={{
          noun: 'permission',
          options: (permissions.data ?? []).map((p) => ({ id: p.permissionId, label: named(p.permissionId, p.name) })),
          add: (id, permissionId) => client.roles.addPermission(id, permissionId),
          remove: (id, permissionId) => client.roles.removePermission(id, permissionId),
        }}
      />
      <CatalogSection
        title="Permissions"
        noun="permission"
        records={permissions}
        toRecord={(p) => ({ id: p.permissionId, name: p.name, description: p.description })}
        builtIn={Object.keys(BUILT_IN_PERMISSION)}
        create={({ id, ...rest }) => client.permissions.create({ permissionId: id, ...rest })}
        update={(id, change) => client.permissions.update(id, change)}
        remove={(id) => client.permissions.delete(id)}
        touches={TOUCHES}
      />
    </div>
  );
}
