import { Injectable } from '@nestjs/common';
import { ApiError, forbidden, notFound } from '../infra/http/api-error.js';
import type { Actor, Principal } from '../auth/principal.js';
import { UserAdminService } from '../admin/user-admin.service.js';
import { CatalogService, type CatalogKind } from '../directory/catalog.service.js';
import { EntitlementService } from '../entitlements/entitlement.service.js';
import { CheckService } from '../check/check.service.js';
import { GrantService, SUPER_ADMIN } from '../directory/grant.service.js';
import { TenantService } from '../directory/tenant.service.js';
import { UserService } from '../users/user.service.js';
import type { CheckItem } from '@tessera/dto';
import type { AuthorizeInput, WarrantInput } from './warrant.dto.js';
import { matches, type Clause, type WarrantView } from './warrant-query.js';
import { builtIns, toTessera, toWarrant } from './warrant-ids.js';
import { WarrantFirstUseRepository, type FirstUseKey } from './warrant-first-use.repository.js';
import type { FirstUseType, WarrantFirstUseEntity } from './warrant-first-use.entity.js';

const invalid = (message: string, field: string) =>
  new ApiError('invalid_request', message, { fields: { [field]: message } });

/** The catalog kind of a Warrant object type that is one. */
const CATALOG: Record<string, CatalogKind> = {
  role: 'role',
  permission: 'permission',
  'pricing-tier': 'pricingTier',
  feature: 'feature',
};

/** A role's or permission's id as Tessera keeps it (a Warrant user's `admin` is not the built-in). */
const tesseraId = (type: string, id: string) => (type === 'role' || type === 'permission' ? toTessera(type, id) : id);
const warrantId = (type: string, id: string) => (type === 'role' || type === 'permission' ? toWarrant(type, id) : id);

/**
 * Runs a create that may lose a race to another: the record is there either way. Its creation
 * time when this create made it, null when another did.
 */
async function createdOrThere(create: () => Promise<{ createdAt: number }>): Promise<number | null> {
  try {
    return (await create()).createdAt;
  } catch (error) {
    if (!(error instanceof ApiError && error.code === 'duplicate_record')) throw error;
    return null;
  }
}

const OBJECT_TYPES: readonly string[] = ['tenant', 'user', 'role', 'permission', 'pricing-tier', 'feature'];
const objectKey = (type: string, id: string): FirstUseKey => ({
  type: type as FirstUseType,
  id: tesseraId(type, id),
  tenantId: '',
});
const membershipKey = (tenantId: string, userId: string): FirstUseKey => ({ type: 'membership', id: userId, tenantId });

/**
 * What a set of warrants names that a warrant may have created on first use: objects, their
 * context's tenant, and the membership a grant in a tenant needed. Memberships come first, tenants
 * last: a tenant is empty only once its memberships are gone.
 */
function named(
  warrants: {
    objectType: string;
    objectId: string;
    relation: string;
    subject: { objectType: string; objectId: string };
    context?: Record<string, string>;
  }[],
): FirstUseKey[] {
  const keys = new Map<string, FirstUseKey>();
  const add = (k: FirstUseKey) => keys.set(`${k.type}\u0000${k.id}\u0000${k.tenantId}`, k);
  for (const w of warrants) {
    const user = w.subject.objectType === 'user' ? w.subject.objectId : undefined;
    const tenant = w.objectType === 'tenant' && w.relation !== 'member' ? w.objectId : w.context?.tenant;
    if (user !== undefined && tenant !== undefined && w.objectType !== 'pricing-tier' && w.objectType !== 'feature')
      add(membershipKey(tenant, user));
  }
  for (const w of warrants) {
    for (const [type, id] of [
      [w.objectType, w.objectId],
      [w.subject.objectType, w.subject.objectId],
    ] as const)
      if (OBJECT_TYPES.includes(type) && type !== 'tenant') add(objectKey(type, id));
  }
  for (const w of warrants) {
    if (w.objectType === 'tenant') add(objectKey('tenant', w.objectId));
    if (w.subject.objectType === 'tenant') add(objectKey('tenant', w.subject.objectId));
    if (w.context?.tenant !== undefined) add(objectKey('tenant', w.context.tenant));
  }
  return [...keys.values()];
}

/** Whether a stored warrant is the asked one: same object, relation, subject and context. */
function same(a: WarrantView, b: WarrantInput): boolean {
  const context = (c: Record<string, string> | undefined) => JSON.stringify(Object.entries(c ?? {}).sort());
  return (
    a.objectType === b.objectType &&
    a.objectId === b.objectId &&
    a.relation === b.relation &&
    a.subject.objectType === b.subject.objectType &&
    a.subject.objectId === b.subject.objectId &&
    context(a.context) === context(b.context)
  );
}

/**
 * Warrant's warrants, mapped onto Tessera's one model (no second copy):
 * - `tenant:T#member@user:U` is membership; `tenant:T#<role>@user:U` the role granted in T
 * - `role:R#member@user:U` and `permission:P#member@user:U` are grants, in the tenant named by
 *   `context.tenant` (Warrant's policy `tenant == "…"`) or global without it
 * - `permission:P#member@role:R` is the role holding the permission
 * - `pricing-tier:P#member@tenant|user:X` gives X the tier, `pricing-tier:P#member@pricing-tier:Q`
 *   lets Q include P; `feature:F#member@tenant|user|pricing-tier:X` gives X the feature
 * Role and permission ids named like Tessera's built-ins are the Warrant user's own (warrant-ids.ts).
 */
@Injectable()
export class WarrantService {
  constructor(
    private readonly grants: GrantService,
    private readonly checks: CheckService,
    private readonly tenants: TenantService,
    private readonly catalog: CatalogService,
    private readonly entitlements: EntitlementService,
    private readonly users: UserService,
    private readonly userAdmin: UserAdminService,
    private readonly firstUse: WarrantFirstUseRepository,
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
    if (subject === 'pricing-tier') {
      return what === 'feature'
        ? this.entitlements.setTierFeature(w.subject.objectId, w.objectId, add, actor)
        : this.entitlements.setTierIncludes(w.subject.objectId, w.objectId, add, actor);
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

  /**
   * Creates a warrant. Warrant keeps warrants apart from objects; Tessera's grants need their user,
   * role and tenant, so what the warrant names and does not exist yet (tenant, user, role,
   * permission, pricing tier, feature, and the membership a grant in a tenant needs) is created
   * first and remembered: the last warrant naming it takes it away again (sweep). Nothing else is
   * granted than the warrant says: a context key other than `tenant` was refused by the DTO.
   */
  async create(w: WarrantInput, actor: Actor): Promise<void> {
    await this.requireWritable(w);
    await this.ensure(w.objectType, w.objectId, actor);
    await this.ensure(w.subject.objectType, w.subject.objectId, actor);
    if (w.context?.tenant !== undefined) await this.ensure('tenant', w.context.tenant, actor);
    const [membership] = named([w]).filter((k) => k.type === 'membership');
    if (membership !== undefined) {
      const before = await this.tenants.membershipSince(membership.tenantId, membership.id);
      await this.write(w, true, actor);
      const since = await this.tenants.membershipSince(membership.tenantId, membership.id);
      if (before === null && since !== null) await this.firstUse.remember(membership, since);
      return;
    }
    await this.write(w, true, actor);
    // A membership asked for by its own warrant is no longer one a grant needed.
    if (w.objectType === 'tenant' && w.relation === 'member')
      await this.firstUse.forget(membershipKey(w.objectId, w.subject.objectId));
  }

  /** Deletes a warrant (404 when there is none, Warrant's answer), then what only it kept. */
  async delete(w: WarrantInput, actor: Actor): Promise<void> {
    this.kindOf(w);
    const found = await this.warrantsOfObject(w.objectType, w.objectId);
    if (!found.some((v) => same(v, w))) throw notFound('warrant', `${w.objectType}:${w.objectId}#${w.relation}`);
    await this.write(w, false, actor);
    await this.sweep(named([w]), actor);
  }

  /**
   * After a warrant went by another route (the SDK's remove calls), what only it kept goes too.
   */
  async afterRemoved(w: Omit<WarrantInput, 'relation'> & { relation?: string }, actor: Actor): Promise<void> {
    await this.sweep(named([{ relation: 'member', ...w }]), actor);
  }

  /**
   * Deletes an object through /warrant (`remove`), and then what a warrant created on first use
   * and only the object's warrants kept (Warrant deletes an object's warrants with it).
   */
  async removeObject(type: string, id: string, remove: () => Promise<void>, actor: Actor): Promise<void> {
    const key = tesseraId(type, id);
    const warrants = [...(await this.storedOnObject(type, key)), ...(await this.storedOfSubject(type, key))];
    await remove();
    await this.firstUse.forget(objectKey(type, id));
    const own = objectKey(type, id);
    const others = named(warrants.map(inWarrantIds)).filter((k) => !(k.type === own.type && k.id === own.id));
    await this.sweep(others, actor);
  }

  /**
   * Takes away what a warrant created on first use (its key is remembered, the record is that same
   * one, and no name, email or password was given to it since) once nothing names it any more.
   * One lookup when none of the keys is remembered, the common case.
   */
  private async sweep(keys: FirstUseKey[], actor: Actor): Promise<void> {
    const remembered = await this.firstUse.find(keys);
    const order = (m: WarrantFirstUseEntity) => (m.type === 'membership' ? 0 : m.type === 'tenant' ? 2 : 1);
    for (const made of remembered.sort((a, b) => order(a) - order(b))) {
      const state = await this.firstUseState(made);
      if (state === 'kept') continue;
      if (state === 'unused') await this.removeFirstUse(made, actor);
      await this.firstUse.forget(made);
    }
  }

  /** Whether a remembered record is still used, unused, or gone (or another record now). */
  private async firstUseState(made: WarrantFirstUseEntity): Promise<'kept' | 'unused' | 'gone'> {
    const { type, id } = made;
    if (type === 'membership') {
      if ((await this.tenants.membershipSince(made.tenantId, id)) !== made.createdAt) return 'gone';
      const held = await this.grants.heldBy(id);
      const inTenant = [...held.role.inTenants, ...held.permission.inTenants].some((g) => g.tenantId === made.tenantId);
      return inTenant ? 'kept' : 'unused';
    }
    let untouched: boolean;
    if (type === 'user') {
      const [user] = await this.users.findByIds([id]);
      if (user?.createdAt !== made.createdAt) return 'gone';
      untouched = user.email === null && user.passwordHash === null && !user.superAdmin;
    } else if (type === 'tenant') {
      const tenant = await this.tenants.get(id).catch((error: unknown) => {
        if (error instanceof ApiError && error.code === 'not_found') return null;
        throw error;
      });
      if (tenant?.createdAt !== made.createdAt) return 'gone';
      untouched = tenant.name === null;
    } else {
      const [record] = await this.catalog.getMany(CATALOG[type]!, [id]);
      if (record?.createdAt !== made.createdAt) return 'gone';
      untouched = record.name === null && record.description === null;
    }
    if (!untouched) return 'kept';
    const used = (await this.storedOnObject(type, id)).length > 0 || (await this.storedOfSubject(type, id)).length > 0;
    return used ? 'kept' : 'unused';
  }

  private async removeFirstUse(made: WarrantFirstUseEntity, actor: Actor): Promise<void> {
    if (made.type === 'membership') return this.tenants.removeMember(made.tenantId, made.id, actor);
    if (made.type === 'user') return this.userAdmin.remove(made.id, actor);
    if (made.type === 'tenant') return this.tenants.remove(made.id, actor);
    return this.catalog.remove(CATALOG[made.type]!, made.id, actor);
  }

  /**
   * Every 4xx a warrant's write could answer, asked before anything is created for it: a refused
   * warrant leaves nothing behind.
   */
  private async requireWritable(w: WarrantInput): Promise<void> {
    const kind = this.kindOf(w);
    const subject = w.subject.objectType;
    if (kind === 'tenant') {
      this.requireUserSubject(w);
      if (w.relation === SUPER_ADMIN) throw invalid('super_admin is a global role', 'relation');
      // A tenant relation other than member is a role that must exist already.
      if (w.relation !== 'member') await this.catalog.requireExisting('role', [w.relation]);
      return;
    }
    if (w.relation !== 'member')
      throw invalid(`Relation ${w.relation} on ${kind} is not supported (use member)`, 'relation');
    if (kind === 'role' || kind === 'permission') {
      if (!(kind === 'permission' && subject === 'role')) this.requireUserSubject(w);
      return;
    }
    if (subject !== 'tenant' && subject !== 'user' && subject !== 'pricing-tier')
      throw invalid(`Subject type ${subject} is not supported here`, 'subject.objectType');
    if (kind === 'pricing-tier' && subject === 'pricing-tier' && w.subject.objectId === w.objectId)
      throw invalid('A pricing tier cannot include itself', 'pricingTierId');
  }

  /**
   * Creates a tenant, user or catalog record that does not exist, and remembers it was a warrant's
   * (a kind the warrant cannot name is left to write's 400).
   */
  private async ensure(type: string, id: string, actor: Actor): Promise<void> {
    let created: number | null = null;
    if (type === 'tenant') {
      if (!(await this.tenants.exists(id)))
        created = await createdOrThere(() => this.tenants.create({ tenantId: id, name: null }, actor));
    } else if (type === 'user') {
      if ((await this.users.findByIds([id])).length === 0)
        created = await createdOrThere(() => this.userAdmin.create({ userId: id }, actor));
    } else if (CATALOG[type] !== undefined) {
      const kind = CATALOG[type];
      const key = tesseraId(type, id);
      if ((await this.catalog.getMany(kind, [key])).length === 0)
        created = await createdOrThere(() => this.catalog.create(kind, { id: key }, actor));
    }
    if (created !== null) await this.firstUse.remember(objectKey(type, id), created);
  }

  /** Creates (`add`) or deletes the grant a warrant stands for. */
  private async write(w: WarrantInput, add: boolean, actor: Actor): Promise<void> {
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
    const objectId = toTessera(kind, w.objectId);
    if (kind === 'permission' && w.subject.objectType === 'role') {
      const roleId = toTessera('role', w.subject.objectId);
      if (add) await this.catalog.addPermissionToRole(roleId, objectId, actor);
      else await this.catalog.removePermissionFromRole(roleId, objectId, actor);
      return;
    }
    const userId = this.requireUserSubject(w);
    if (tenantId !== undefined) {
      if (add) await this.grants.grantInTenant(kind, tenantId, userId, objectId, actor);
      else await this.grants.revokeInTenant(kind, tenantId, userId, objectId, actor);
    } else if (add) await this.grants.grantGlobal(kind, userId, objectId, actor);
    else await this.grants.revokeGlobal(kind, userId, objectId, actor);
  }

  /**
   * Warrant's check. An authorization session may only ask about its own user: another subject is
   * 403 (Warrant silently replaced it).
   */
  async authorize(input: AuthorizeInput, principal: Principal): Promise<Authorization> {
    if (principal.kind === 'session') {
      for (const w of input.warrants) {
        if (w.subject.objectType !== 'user' || w.subject.objectId !== principal.session.userId) {
          throw forbidden('An authorization session may only check its own user');
        }
      }
    }
    const results = await this.holdAll(input.warrants);
    const anyOf = input.op === 'anyOf';
    const authorized = anyOf ? results.some(Boolean) : results.every(Boolean);
    if (input.debug !== true) return { authorized };
    // Warrant's debug answer: how each warrant it looked at held, in the order it looked (anyOf
    // stops at the first that holds, allOf at the first that does not). Read after the answer,
    // from the stored warrants: the check itself stays the same statements.
    const decisionPath: Record<string, WarrantView[]> = {};
    for (const [i, w] of input.warrants.entries()) {
      if (results[i]) {
        const path = await this.pathTo(w);
        if (path.length > 0) decisionPath[warrantString(w)] = path;
      }
      if (anyOf === results[i]) break;
    }
    return Object.keys(decisionPath).length > 0 ? { authorized, decisionPath } : { authorized };
  }

  /**
   * The stored warrants through which a warrant that holds does, subject side first: the warrant
   * itself, a role that holds the permission, or a pricing tier or tenant that holds the feature.
   * Empty when none of these shapes explains it (a tier included in another, say).
   */
  private async pathTo(w: WarrantInput): Promise<WarrantView[]> {
    const scoped = (v: WarrantView) => v.context === undefined || v.context.tenant === w.context?.tenant;
    const onObject = await this.warrantsOfObject(w.objectType, w.objectId);
    const direct = onObject.find(
      (v) =>
        v.relation === w.relation &&
        v.subject.objectType === w.subject.objectType &&
        v.subject.objectId === w.subject.objectId &&
        scoped(v),
    );
    if (direct) return [direct];
    if (w.subject.objectType !== 'user' || w.relation !== 'member') return [];
    const through = (type: string, id: string) =>
      onObject.find((h) => h.subject.objectType === type && h.subject.objectId === id);
    const mine = await this.warrantsOfSubject('user', w.subject.objectId);
    if (w.objectType === 'permission') {
      for (const role of mine.filter((v) => v.objectType === 'role' && scoped(v))) {
        const link = through('role', role.objectId);
        if (link) return [role, link];
      }
    }
    if (w.objectType === 'feature') {
      for (const tier of mine.filter((v) => v.objectType === 'pricing-tier')) {
        const link = through('pricing-tier', tier.objectId);
        if (link) return [tier, link];
      }
      const tenants = mine.filter(
        (v) => v.objectType === 'tenant' && v.relation === 'member' && (w.context?.tenant ?? v.objectId) === v.objectId,
      );
      for (const member of tenants) {
        const link = through('tenant', member.objectId);
        if (link) return [member, link];
        for (const tier of await this.warrantsOfSubject('tenant', member.objectId)) {
          const viaTier = tier.objectType === 'pricing-tier' ? through('pricing-tier', tier.objectId) : undefined;
          if (viaTier) return [member, tier, viaTier];
        }
      }
    }
    return [];
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
      // Warrant's hasFeature: without a tenant, the features of the user's tenants count too.
      const held = await this.checks.check(
        userId,
        items.map((i) => i.check),
        { featuresOfAnyTenant: true },
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
    const id = kind === 'feature' ? w.objectId : toTessera(kind, w.objectId);
    return { [kind]: id, tenantId: w.context?.tenant };
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

  /** The warrants on an object, in Warrant's ids. */
  private async warrantsOfObject(type: string, id: string): Promise<WarrantView[]> {
    return (await this.storedOnObject(type, tesseraId(type, id))).filter(notBuiltIn).map(inWarrantIds);
  }

  /** The warrants of a subject, in Warrant's ids. */
  private async warrantsOfSubject(type: string, id: string): Promise<WarrantView[]> {
    return (await this.storedOfSubject(type, tesseraId(type, id))).filter(notBuiltIn).map(inWarrantIds);
  }

  private async storedOnObject(type: string, id: string): Promise<WarrantView[]> {
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

  private async storedOfSubject(type: string, id: string): Promise<WarrantView[]> {
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
      const found = await this.catalog.getMany('role', [id]);
      const [role] = await this.catalog.toRoleDtos(found);
      if (!role) return [];
      views.push(
        ...role.permissions.map((p) => ({ objectType: 'permission', objectId: p, relation: 'member', subject })),
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
      const [roleId, permissionId] = [toTessera('role', w.subject.objectId), toTessera('permission', w.objectId)];
      const held = await this.catalog.permissionsOfRoles([roleId], [permissionId]);
      return held.get(roleId)?.has(permissionId) ?? false;
    }
    const userId = this.requireUserSubject(w);
    if (kind === 'tenant' && w.relation === 'member') return this.tenants.isMember(w.objectId, userId);
    // A user's roles, permissions and features were answered in holdAll; what is left is a
    // relation Tessera never grants.
    return false;
  }
}

/** A check's answer, with Warrant's `decisionPath` when it was asked for (`debug`) and found. */
export interface Authorization {
  authorized: boolean;
  decisionPath?: Record<string, WarrantView[]>;
}

/** Warrant's name of a warrant: `type:id#relation@type:id[#relation][k=v …]`, context keys sorted. */
function warrantString(w: WarrantInput): string {
  const subject = `${w.subject.objectType}:${w.subject.objectId}${w.subject.relation ? `#${w.subject.relation}` : ''}`;
  const context = Object.entries(w.context ?? {}).sort(([a], [b]) => (a < b ? -1 : 1));
  const suffix = context.length === 0 ? '' : `[${context.map(([k, v]) => `${k}=${v}`).join(' ')}]`;
  return `${w.objectType}:${w.objectId}#${w.relation}@${subject}${suffix}`;
}

/** Whether a stored warrant names none of Tessera's built-in roles and permissions, which /warrant never shows. */
function notBuiltIn(v: WarrantView): boolean {
  const builtIn = (type: string, id: string) =>
    (type === 'role' || type === 'permission') && builtIns(type).includes(id);
  return !builtIn(v.objectType, v.objectId) && !builtIn(v.subject.objectType, v.subject.objectId);
}

/** A stored warrant with its role and permission ids as Warrant names them. */
function inWarrantIds(v: WarrantView): WarrantView {
  return {
    ...v,
    objectId: warrantId(v.objectType, v.objectId),
    subject: { ...v.subject, objectId: warrantId(v.subject.objectType, v.subject.objectId) },
  };
}
