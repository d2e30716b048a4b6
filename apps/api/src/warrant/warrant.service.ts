import { Injectable } from '@nestjs/common';
import { ApiError, forbidden } from '../common/api-error.js';
import type { Actor, Principal } from '../common/principal.js';
import { CatalogService } from '../tenant/catalog.service.js';
import { EntitlementService } from '../tenant/entitlement.service.js';
import { GrantService } from '../tenant/grant.service.js';
import { TenantService } from '../tenant/tenant.service.js';
import type { AuthorizeInput, WarrantInput } from './warrant.dto.js';

const invalid = (message: string, field: string) => new ApiError('invalid_request', message, { fields: { [field]: message } });


/**
 * Warrant's warrants, mapped onto Tessera's one model (no second copy):
 * - `tenant:T#member@user:U` is membership; `tenant:T#<role>@user:U` the role granted in T
 * - `role:R#member@user:U` and `permission:P#member@user:U` are grants, in the tenant named by
 *   `context.tenant` (Warrant's policy `tenant == "…"`) or global without it
 * - `permission:P#member@role:R` is the role holding the permission
 * - `pricing-tier:P#member@tenant|user:X` gives X the tier; `feature:F#member@tenant|user|pricing-tier:X` the feature
 */
@Injectable()
export class WarrantService {
  constructor(
    private readonly grants: GrantService,
    private readonly tenants: TenantService,
    private readonly catalog: CatalogService,
    private readonly entitlements: EntitlementService,
  ) {}

  private kindOf(w: WarrantInput): 'tenant' | 'role' | 'permission' | 'pricing-tier' | 'feature' {
    if (['tenant', 'role', 'permission', 'pricing-tier', 'feature'].includes(w.objectType)) return w.objectType as never;
    throw invalid(`Object type ${w.objectType} is not modelled by Tessera`, 'objectType');
  }

  /** Pricing tiers and features go to tenants and users, and features also to pricing tiers. */
  private async writeEntitlement(w: WarrantInput, add: boolean): Promise<void> {
    if (w.relation !== 'member') throw invalid(`Relation ${w.relation} on ${w.objectType} is not supported (use member)`, 'relation');
    const what = w.objectType === 'feature' ? 'feature' : 'pricingTier';
    const subject = w.subject.objectType;
    if (what === 'feature' && subject === 'pricing-tier') return this.entitlements.setTierFeature(w.subject.objectId, w.objectId, add);
    if (subject !== 'tenant' && subject !== 'user') throw invalid(`Subject type ${subject} is not supported here`, 'subject.objectType');
    return this.entitlements.set(subject, w.subject.objectId, what, w.objectId, add);
  }

  private requireUserSubject(w: WarrantInput): string {
    if (w.subject.objectType !== 'user') throw invalid(`Subject type ${w.subject.objectType} is not supported here`, 'subject.objectType');
    return w.subject.objectId;
  }

  /** Creates (`add`) or deletes the grant a warrant stands for. */
  async write(w: WarrantInput, add: boolean, actor: Actor): Promise<void> {
    const kind = this.kindOf(w);
    if (kind === 'pricing-tier' || kind === 'feature') return this.writeEntitlement(w, add);
    const tenantId = w.context?.tenant;
    if (kind === 'tenant') {
      const userId = this.requireUserSubject(w);
      if (w.relation === 'member') {
        if (add) await this.tenants.addMember(w.objectId, userId);
        else await this.tenants.removeMember(w.objectId, userId);
      } else if (add) await this.grants.grantInTenant('role', w.objectId, userId, w.relation, actor);
      else await this.grants.revokeInTenant('role', w.objectId, userId, w.relation, actor);
      return;
    }
    if (w.relation !== 'member') throw invalid(`Relation ${w.relation} on ${kind} is not supported (use member)`, 'relation');
    if (kind === 'permission' && w.subject.objectType === 'role') {
      if (add) await this.catalog.addPermissionToRole(w.subject.objectId, w.objectId);
      else await this.catalog.removePermissionFromRole(w.subject.objectId, w.objectId);
      return;
    }
    const userId = this.requireUserSubject(w);
    if (tenantId !== undefined) {
      if (add) await this.grants.grantInTenant(kind, tenantId, userId, w.objectId, actor);
      else await this.grants.revokeInTenant(kind, tenantId, userId, w.objectId, actor);
    } else if (add) await this.grants.grantGlobal(kind, userId, w.objectId, actor);
    else await this.grants.revokeGlobal(kind, userId, w.objectId, actor);
  }

  /**
   * Warrant's check. An authorization session may only ask about its own user: another subject is
   * 403 (Warrant silently replaced it).
   */
  async authorize(input: AuthorizeInput, principal: Principal): Promise<boolean> {
    if (principal.kind === 'session') {
      for (const w of input.warrants) {
        if (w.subject.objectType !== 'user' || w.subject.objectId !== principal.session.userId) {
          throw forbidden('An authorization session may only check its own user');
        }
      }
    }
    const results: boolean[] = [];
    for (const w of input.warrants) results.push(await this.holds(w));
    return input.op === 'anyOf' ? results.some(Boolean) : results.every(Boolean);
  }

  private async holds(w: WarrantInput): Promise<boolean> {
    const kind = this.kindOf(w);
    if (kind === 'pricing-tier') return false; // nothing is a member of a tier in a check; tiers hold features
    if (kind === 'feature' && w.relation === 'member' && (w.subject.objectType === 'tenant' || w.subject.objectType === 'pricing-tier')) {
      return this.entitlements.holds(w.subject.objectType === 'tenant' ? 'tenant' : 'pricingTier', w.subject.objectId, w.objectId);
    }
    if (w.subject.objectType === 'role' && kind === 'permission' && w.relation === 'member') {
      const held = await this.catalog.permissionsOfRoles([w.subject.objectId], [w.objectId]);
      return held.get(w.subject.objectId)?.has(w.objectId) ?? false;
    }
    const userId = this.requireUserSubject(w);
    if (kind === 'tenant') {
      if (w.relation === 'member') return this.tenants.isMember(w.objectId, userId);
      const [held] = await this.grants.check(userId, [{ role: w.relation, tenantId: w.objectId }]);
      return held === true;
    }
    if (w.relation !== 'member') return false;
    const [held] = await this.grants.check(userId, [{ [kind]: w.objectId, tenantId: w.context?.tenant }]);
    return held === true;
  }
}
