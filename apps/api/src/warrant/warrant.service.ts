import { Injectable } from '@nestjs/common';
import { ApiError, forbidden } from '../infra/http/api-error.js';
import type { Actor, Principal } from '../auth/principal.js';
import { CatalogService } from '../directory/catalog.service.js';
import { EntitlementService } from '../entitlements/entitlement.service.js';
import { CheckService } from '../check/check.service.js';
import { GrantService } from '../directory/grant.service.js';
import { TenantService } from '../directory/tenant.service.js';
import type { CheckItem } from '@tessera/dto';
import type { AuthorizeInput, WarrantInput } from './warrant.dto.js';
import { matches, type Clause, type WarrantView } from './warrant-query.js';

const invalid = (message: string, field: string) =>
  new ApiError('invalid_request', message, { fields: { [field]: message } });

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
    private readonly checks: CheckService,
    private readonly tenants: TenantService,
    private readonly catalog: CatalogService,
    private readonly entitlements: EntitlementService,
  ) {}

  private kindOf(w: WarrantInput): 'tenant' | 'role' | 'permission' | 'pricing-tier' | 'feature' {
    if (['tenant', 'role', 'permission', 'pricing-tier', 'feature'].includes(w.objectType))
      return w.objectType as never;
    throw invalid(`Object type ${w.objectType} is not modelled by Tessera`, 'objectType');
  }

  /** Pricing tiers and features go to tenants and users, and features also to pricing tiers. */
  private async writeEntitlement(w: WarrantInput, add: boolean, actor: Actor): Promise<void> {
    if (w.relation !== 'member')
      throw invalid(`Relation ${w.relation} on ${w.objectType} is not supported (use member)`, 'relation');
    const what = w.objectType === 'feature' ? 'feature' : 'pricingTier';
    const subject = w.subject.objectType;
    if (what === 'feature' && subject === 'pricing-tier') {
      return this.entitlements.setTierFeature(w.subject.objectId, w.objectId, add, actor);
    }
    if (subject !== 'tenant' && subject !== 'user')
      throw invalid(`Subject type ${subject} is not supported here`, 'subject.objectType');
    return this.entitlements.set(subject, w.subject.objectId, what, w.objectId, add, actor);
  }

  private requireUserSubject(w: WarrantInput): string {
    if (w.subject.objectType !== 'user')
      throw invalid(`Subject type ${w.subject.objectType} is not supported here`, 'subject.objectType');
    return w.subject.objectId;
  }

  /** Creates (`add`) or deletes the grant a warrant stands for. */
  async write(w: WarrantInput, add: boolean, actor: Actor): Promise<void> {
    const kind = this.kindOf(w);
    if (kind === 'pricing-tier' || kind === 'feature') return this.writeEntitlement(w, add, actor);
    const tenantId = w.context?.tenant;
    if (kind === 'tenant') {
      const userId = this.requireUserSubject(w);
      if (w.relation === 'member') {
        if (add) await this.tenants.addMember(w.objectId, userId, actor);
        else await this.tenants.removeMember(w.objectId, userId, actor);
      } else if (add) await this.grants.grantInTenant('role', w.objectId, userId, w.relation, actor);
      else await this.grants.revokeInTenant('role', w.objectId, userId, w.relation, actor);
      return;
    }
    if (w.relation !== 'member')
      throw invalid(`Relation ${w.relation} on ${kind} is not supported (use member)`, 'relation');
    if (kind === 'permission' && w.subject.objectType === 'role') {
      if (add) await this.catalog.addPermissionToRole(w.subject.objectId, w.objectId, actor);
      else await this.catalog.removePermissionFromRole(w.subject.objectId, w.objectId, actor);
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
    const results = await this.holdAll(input.warrants);
    return input.op === 'anyOf' ? results.some(Boolean) : results.every(Boolean);
  }

  /**
   * One boolean per warrant. The warrants about a user's roles, permissions and features go to
   * CheckService.check together (one call per user, two or three statements whatever their
   * number); the few other shapes are answered one by one.
   */
  private async holdAll(warrants: WarrantInput[]): Promise<boolean[]> {
    const results: boolean[] = [];
    const byUser = new Map<string, { index: number; check: CheckItem }[]>();
    for (const [index, w] of warrants.entries()) {
      const check = this.userCheck(w);
      if (check === null) {
        results[index] = await this.holds(w);
      } else {
        const items = byUser.get(w.subject.objectId) ?? [];
        items.push({ index, check });
        byUser.set(w.subject.objectId, items);
      }
    }
    for (const [userId, items] of byUser) {
      const held = await this.checks.check(
        userId,
        items.map((i) => i.check),
      );
      items.forEach((item, k) => (results[item.index] = held[k] === true));
    }
    return results;
  }

  /** The check a warrant about a user's role, permission or feature stands for; null for any other warrant. */
  private userCheck(w: WarrantInput): CheckItem | null {
    const kind = this.kindOf(w);
    if (w.subject.objectType !== 'user' || kind === 'pricing-tier') return null;
    if (kind === 'tenant') return w.relation === 'member' ? null : { role: w.relation, tenantId: w.objectId };
    if (w.relation !== 'member') return null;
    return { [kind]: w.objectId, tenantId: w.context?.tenant };
  }

  /**
   * Warrant's query (`select=warrants`): the warrants of one object or of one subject (the clause
   * must name one, so the answer is an indexed lookup), filtered by the rest of both clauses.
   */
  async query(forClause: Clause, whereClause: Clause): Promise<WarrantView[]> {
    const object = forClause.object ?? whereClause.object;
    const subject = forClause.subject ?? whereClause.subject;
    if (!object && !subject) throw invalid('A query needs an object or a subject in its for or where clause', 'for');
    const found = object
      ? await this.warrantsOfObject(object.objectType, object.objectId)
      : await this.warrantsOfSubject(subject!.objectType, subject!.objectId);
    return found.filter((w) => matches(w, forClause) && matches(w, whereClause));
  }

  private async warrantsOfObject(type: string, id: string): Promise<WarrantView[]> {
    const user = (userId: string) => ({ objectType: 'user', objectId: userId });
    const tenant = (tenantId: string) => ({ tenant: tenantId });
    if (type === 'tenant') {
      const { members, roles } = await this.grants.ofTenant(id);
      return [
        ...members.map((userId) => ({ objectType: type, objectId: id, relation: 'member', subject: user(userId) })),
        ...roles.map((g) => ({ objectType: type, objectId: id, relation: g.roleId, subject: user(g.userId) })),
      ];
    }
    if (type === 'role' || type === 'permission') {
      const { global, inTenants, roles } = await this.grants.holdersOf(type, id);
      return [
        ...global.map((userId) => ({ objectType: type, objectId: id, relation: 'member', subject: user(userId) })),
        ...inTenants.map((g) => ({
          objectType: type,
          objectId: id,
          relation: 'member',
          subject: user(g.userId),
          context: tenant(g.tenantId),
        })),
        ...roles.map((roleId) => ({
          objectType: type,
          objectId: id,
          relation: 'member',
          subject: { objectType: 'role', objectId: roleId },
        })),
      ];
    }
    if (type === 'pricing-tier' || type === 'feature') {
      return (await this.entitlements.holdersOf(type === 'feature' ? 'feature' : 'pricingTier', id)).map((h) => ({
        objectType: type,
        objectId: id,
        relation: 'member',
        subject: { objectType: h.type, objectId: h.id },
      }));
    }
    return [];
  }

  private async warrantsOfSubject(type: string, id: string): Promise<WarrantView[]> {
    const subject = { objectType: type, objectId: id };
    const views: WarrantView[] = [];
    if (type === 'user') {
      const held = await this.grants.heldBy(id);
      views.push(
        ...held.tenants.map((tenantId) => ({ objectType: 'tenant', objectId: tenantId, relation: 'member', subject })),
      );
      for (const kind of ['role', 'permission'] as const) {
        views.push(...held[kind].global.map((x) => ({ objectType: kind, objectId: x, relation: 'member', subject })));
        views.push(
          ...held[kind].inTenants.map((g) => ({
            objectType: kind,
            objectId: g.id,
            relation: 'member',
            subject,
            context: { tenant: g.tenantId },
          })),
        );
      }
    }
    if (type === 'role') {
      const [role] = await this.catalog.toRoleDtos([await this.catalog.get('role', id)]);
      views.push(
        ...role!.permissions.map((p) => ({ objectType: 'permission', objectId: p, relation: 'member', subject })),
      );
    }
    if (type === 'user' || type === 'tenant' || type === 'pricing-tier') {
      const owner = type === 'pricing-tier' ? 'pricingTier' : type;
      for (const e of await this.entitlements.heldBy(owner, id)) {
        views.push({
          objectType: e.type === 'feature' ? 'feature' : 'pricing-tier',
          objectId: e.id,
          relation: 'member',
          subject,
        });
      }
    }
    return views;
  }

  private async holds(w: WarrantInput): Promise<boolean> {
    const kind = this.kindOf(w);
    if (kind === 'pricing-tier') return false; // nothing is a member of a tier in a check; tiers hold features
    if (
      kind === 'feature' &&
      w.relation === 'member' &&
      (w.subject.objectType === 'tenant' || w.subject.objectType === 'pricing-tier')
    ) {
      return this.entitlements.holds(
        w.subject.objectType === 'tenant' ? 'tenant' : 'pricingTier',
        w.subject.objectId,
        w.objectId,
      );
    }
    if (w.subject.objectType === 'role' && kind === 'permission' && w.relation === 'member') {
      const held = await this.catalog.permissionsOfRoles([w.subject.objectId], [w.objectId]);
      return held.get(w.subject.objectId)?.has(w.objectId) ?? false;
    }
    const userId = this.requireUserSubject(w);
    if (kind === 'tenant' && w.relation === 'member') return this.tenants.isMember(w.objectId, userId);
    // A user's roles, permissions and features were answered in holdAll; what is left is a
    // relation Tessera never grants.
    return false;
  }
}
