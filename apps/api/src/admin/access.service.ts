import { Inject, Injectable } from '@nestjs/common';
import { BUILT_IN_PERMISSIONS, type AdministeredTenant, type ConsoleAccess, type Membership } from '@tessera/dto';
import type { Principal } from '../auth/principal.js';
import { CheckService, holds } from '../check/check.service.js';
import { TENANT_ADMIN_ROLE } from '../directory/tenant-access.service.js';
import { TenantService } from '../directory/tenant.service.js';
import { CONFIG, type Config } from '../infra/config/config.js';
import { forbidden } from '../infra/http/api-error.js';
import type { UserEntity } from '../users/user.entity.js';

const IMPERSONATE = BUILT_IN_PERMISSIONS[1]; // 'impersonate-users'
/** Memberships are read a page at a time; a person in more tenants than this is read in several. */
const PAGE = 100;

/**
 * Who may see what of the admin console: a super admin everything; a tenant admin (the `admin` role
 * or `impersonate-users` in a tenant) that tenant's members; anyone else nothing but their own
 * account. Only a person's own (`user`) session carries these rights: an impersonation has none.
 */
@Injectable()
export class AccessService {
  constructor(
    private readonly tenants: TenantService,
    private readonly checks: CheckService,
    @Inject(CONFIG) private readonly config: Config,
  ) {}

  async of(principal: Principal): Promise<ConsoleAccess> {
    const base = { impersonationMaxSeconds: this.config.impersonationMaxSeconds };
    if (principal.kind === 'api_key') return { ...base, superAdmin: principal.apiKey.role === 'admin', tenants: [] };
    if (principal.session.type !== 'user') return { ...base, superAdmin: false, tenants: [] };
    if (principal.user.superAdmin) return { ...base, superAdmin: true, tenants: [] };
    return { ...base, superAdmin: false, tenants: await this.administered(principal.user) };
  }

  /**
   * For the users routes a tenant admin may read: null for a caller who sees every user (admin key,
   * super admin), else the tenants whose members they see; 403 for a caller who administers none.
   */
  async scopeOf(principal: Principal): Promise<string[] | null> {
    if (principal.kind === 'api_key' || principal.user.superAdmin) return null;
    const tenantIds =
      principal.session.type === 'user' ? (await this.administered(principal.user)).map((t) => t.tenant.tenantId) : [];
    if (tenantIds.length === 0) throw forbidden('You administer no tenant');
    return tenantIds;
  }

  /** The tenants where the user holds the admin role or impersonate-users (directly, by a role, or globally). */
  private async administered(user: UserEntity): Promise<AdministeredTenant[]> {
    const memberships: Membership[] = [];
    let after: string | undefined;
    do {
      const page = await this.tenants.tenantsOf(user.id, { limit: PAGE, after });
      memberships.push(...page.items);
      after = page.next ?? undefined;
    } while (after !== undefined);
    if (memberships.length === 0) return [];
    const held = await this.checks.holdings(
      user,
      memberships.map((m) => m.tenant.tenantId),
      [IMPERSONATE],
    );
    return memberships.flatMap(({ tenant }) => {
      const admin = holds(held.roles, TENANT_ADMIN_ROLE, tenant.tenantId);
      const impersonate = holds(held.permissions, IMPERSONATE, tenant.tenantId);
      return admin || impersonate ? [{ tenant, admin, impersonate }] : [];
    });
  }
}
