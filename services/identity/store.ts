// Identity's repository: every SQL statement of the identity service.
import type { Knex } from "knex";
import type { Outbox, OutboxOf } from "../../endpoints/bus.js";

export interface CustomerRow {
  customerId: string;
  email: string;
  displayName: string;
  passwordHash: string;
  roles: string[];
  createTime: Date;
  /** When the owner confirmed the address; null: not yet (cannot sign in). */
  verifiedTime: Date | null;
}

/** A link a sign-up sends to the address, to confirm it. */
export interface NewVerification {
  tokenHash: Buffer;
  customerId: string;
  /** The sign-up's password and name, which following the link sets. */
  passwordHash: string;
  displayName: string;
  expireTime: Date;
  createTime: Date;
}

export interface SigningKeyRow {
  kid: string;
  /** PKCS8 PEM. */
  privatePem: string;
  /** The public half as a JWK (with kid, alg and use). */
  publicJwk: Record<string, unknown>;
  createTime: Date;
}

export interface NewRefreshToken {
  tokenHash: Buffer;
  customerId: string;
  /** The family (one sign-in) it belongs to; newFamily makes one. */
  familyId: string;
  expireTime: Date;
  createTime: Date;
}

/** What presenting a refresh token did. */
export type RefreshUse =
  | { outcome: "used"; customerId: string; familyId: string }
  /** Already spent: its family is revoked now (someone else holds a copy). */
  | { outcome: "reused" }
  /** Unknown, expired, or of a revoked family. */
  | { outcome: "refused" };

/** A throttle counter (see throttle.ts). */
export interface ThrottleRow {
  failures: number;
  blockedUntil: Date | null;
  updateTime: Date;
}

/** The statements of a sign-up, inside its transaction, and the outbox of the events it publishes. */
export class SignUpTransaction {
  /** The events published here commit or roll back with the sign-up. */
  constructor(
    private readonly trx: Knex.Transaction,
    readonly outbox: Outbox,
  ) {}

  /** The customer with this address: a new, unconfirmed one, or the one that has it already. */
  async customerForSignUp(c: Pick<CustomerRow, "email" | "displayName" | "passwordHash" | "createTime">): Promise<CustomerRow> {
    const inserted = (await this.trx("customers")
      .insert({ email: c.email, display_name: c.displayName, password_hash: c.passwordHash, create_time: c.createTime })
      .onConflict("email")
      .ignore()
      .returning("*")) as Row[];
    // A concurrent sign-up of the same address waits on the unique index until the other commits, then finds its row.
    const row = inserted[0] ?? ((await this.trx("customers").where({ email: c.email }).first()) as Row);
    return toCustomer(row);
  }

  /** Stores a link (as its digest); answers its id. */
  async insertVerification(v: NewVerification): Promise<string> {
    const rows = (await this.trx("email_verifications")
      .insert({
        token_hash: v.tokenHash,
        customer_id: v.customerId,
        password_hash: v.passwordHash,
        display_name: v.displayName,
        expire_time: v.expireTime,
        create_time: v.createTime,
      })
      .returning("verification_id")) as { verification_id: string }[];
    return rows[0]!.verification_id;
  }
}

export class IdentityStore {
  /** `outboxOf`: the bus engine's outbox inside one of this store's transactions (main.ts gets it from transport/bus/open.ts). */
  constructor(
    private readonly knex: Knex,
    private readonly outboxOf: OutboxOf<Knex.Transaction>,
  ) {}

  /** Runs a sign-up in one transaction: if `work` throws, nothing it wrote or published is kept. */
  signUp<T>(work: (tx: SignUpTransaction) => Promise<T>): Promise<T> {
    return this.knex.transaction((trx) => work(new SignUpTransaction(trx, this.outboxOf(trx))));
  }

  /**
   * Follows a link: if it is unused and unexpired at `now` and its customer
   * not confirmed yet, confirms the customer with the link's password and
   * name, and spends every link of that customer. Answers the customer, or
   * undefined otherwise (the link is spent all the same).
   */
  async verifyEmail(tokenHash: Buffer, now: Date): Promise<CustomerRow | undefined> {
    return this.knex.transaction(async (trx) => {
      const link = (await trx("email_verifications")
        .where({ token_hash: tokenHash })
        .whereNull("used_time")
        .andWhere("expire_time", ">", now)
        .update({ used_time: now })
        .returning(["customer_id", "password_hash", "display_name"])) as Row[];
      if (!link[0]) return undefined;
      const confirmed = (await trx("customers")
        .where({ customer_id: link[0].customer_id })
        .whereNull("verified_time")
        .update({ verified_time: now, password_hash: link[0].password_hash, display_name: link[0].display_name })
        .returning("*")) as Row[];
      if (!confirmed[0]) return undefined;
      await trx("email_verifications").where({ customer_id: link[0].customer_id }).whereNull("used_time").update({ used_time: now });
      return toCustomer(confirmed[0]);
    });
  }

  async customerByEmail(email: string): Promise<CustomerRow | undefined> {
    const row = (await this.knex("customers").where({ email }).first()) as Row | undefined;
    return row ? toCustomer(row) : undefined;
  }

  /**
   * Adds `role` to the account with this address once; answers the account
   * as it is now and whether this call added it (false: it had it already),
   * or undefined when no account has the address.
   */
  async grantRole(email: string, role: string): Promise<{ customer: CustomerRow; granted: boolean } | undefined> {
    const updated = (await this.knex("customers")
      .where({ email })
      .whereNot("roles", "@>", [role])
      .update({ roles: this.knex.raw("array_append(roles, ?)", [role]) })
      .returning("*")) as Row[];
    if (updated[0]) return { customer: toCustomer(updated[0]), granted: true };
    const customer = await this.customerByEmail(email);
    return customer ? { customer, granted: false } : undefined;
  }

  async customerById(customerId: string): Promise<CustomerRow | undefined> {
    const row = (await this.knex("customers").where({ customer_id: customerId }).first()) as Row | undefined;
    return row ? toCustomer(row) : undefined;
  }

  /** A new refresh-token family for one sign-in; answers its id. */
  async newFamily(customerId: string, now: Date): Promise<string> {
    const rows = (await this.knex("refresh_families")
      .insert({ customer_id: customerId, create_time: now })
      .returning("family_id")) as { family_id: string }[];
    return rows[0]!.family_id;
  }

  async insertRefreshToken(t: NewRefreshToken): Promise<void> {
    await this.knex("refresh_tokens").insert({
      token_hash: t.tokenHash,
      customer_id: t.customerId,
      family_id: t.familyId,
      expire_time: t.expireTime,
      create_time: t.createTime,
    });
  }

  /**
   * Marks a refresh token used if it is unused, unexpired at `now` and its
   * family not revoked. The marking is one statement: of two concurrent
   * exchanges of the same token exactly one is "used"; the other finds it
   * spent, which is a reuse: the family is revoked.
   */
  async useRefreshToken(tokenHash: Buffer, now: Date): Promise<RefreshUse> {
    const used = (await this.knex.raw(
      `update refresh_tokens t set used_time = ?
         from refresh_families f
        where t.token_hash = ? and t.used_time is null and t.expire_time > ?
          and f.family_id = t.family_id and f.revoked_time is null
        returning t.customer_id, t.family_id`,
      [now, tokenHash, now],
    )) as { rows: { customer_id: string; family_id: string }[] };
    const row = used.rows[0];
    if (row) return { outcome: "used", customerId: row.customer_id, familyId: row.family_id };
    const spent = (await this.knex("refresh_tokens").where({ token_hash: tokenHash }).whereNotNull("used_time").first("family_id")) as
      | { family_id: string }
      | undefined;
    if (!spent) return { outcome: "refused" };
    await this.revokeFamily(spent.family_id, now);
    return { outcome: "reused" };
  }

  /** Revokes the family a refresh token (spent or not) belongs to; false for an unknown token. */
  async revokeFamilyOf(tokenHash: Buffer, now: Date): Promise<boolean> {
    const token = (await this.knex("refresh_tokens").where({ token_hash: tokenHash }).first("family_id")) as { family_id: string } | undefined;
    if (!token) return false;
    await this.revokeFamily(token.family_id, now);
    return true;
  }

  /** Whether a family is revoked (for tests and audits). */
  async familyRevoked(familyId: string): Promise<boolean> {
    const row = (await this.knex("refresh_families").where({ family_id: familyId }).first("revoked_time")) as
      | { revoked_time: Date | null }
      | undefined;
    return row?.revoked_time != null;
  }

  private async revokeFamily(familyId: string, now: Date): Promise<void> {
    await this.knex("refresh_families").where({ family_id: familyId }).whereNull("revoked_time").update({ revoked_time: now });
  }

  /**
   * Runs `decide` on the throttle counters of `keys` (undefined: none yet)
   * while holding a transaction-scoped lock on each key, and writes the
   * counters it answers (a null row deletes). Keys are locked in sorted
   * order, so two calls over the same keys cannot deadlock; counters of
   * concurrent attempts are never lost.
   */
  async updateThrottles<T>(
    keys: readonly string[],
    decide: (rows: (ThrottleRow | undefined)[]) => { result: T; rows: (ThrottleRow | null | undefined)[] },
  ): Promise<T> {
    return this.knex.transaction(async (trx) => {
      for (const key of [...keys].sort()) await trx.raw("select pg_advisory_xact_lock(hashtextextended(?, 0))", [`identity.throttles:${key}`]);
      const found = (await trx("throttles").whereIn("key", keys)) as Row[];
      const byKey = new Map(found.map((r) => [r.key as string, r]));
      const decision = decide(
        keys.map((k) => {
          const r = byKey.get(k);
          return r && { failures: r.failures as number, blockedUntil: (r.blocked_until as Date | null) ?? null, updateTime: r.update_time as Date };
        }),
      );
      for (const [i, key] of keys.entries()) {
        const next = decision.rows[i];
        if (next === null) await trx("throttles").where({ key }).delete();
        else if (next)
          await trx("throttles")
            .insert({ key, failures: next.failures, blocked_until: next.blockedUntil, update_time: next.updateTime })
            .onConflict("key")
            .merge();
      }
      return decision.result;
    });
  }

  /** Deletes counters untouched since `before` and not blocking anything any more. */
  async forgetThrottles(before: Date): Promise<number> {
    return this.knex("throttles")
      .where("update_time", "<", before)
      .andWhere((q) => q.whereNull("blocked_until").orWhere("blocked_until", "<", before))
      .delete();
  }

  /** Every signing key, newest first. */
  async signingKeys(): Promise<SigningKeyRow[]> {
    const rows = (await this.knex("signing_keys").orderBy("create_time", "desc")) as Row[];
    return rows.map(toSigningKey);
  }

  /**
   * The newest signing key; when there is none, `create`s one and stores it.
   * Serialised by an advisory lock, so processes starting together agree on one key.
   */
  async ensureSigningKey(create: () => Promise<SigningKeyRow>): Promise<SigningKeyRow> {
    return this.knex.transaction(async (trx) => {
      await trx.raw("select pg_advisory_xact_lock(hashtextextended('identity.signing_keys', 0))");
      const newest = (await trx("signing_keys").orderBy("create_time", "desc").first()) as Row | undefined;
      if (newest) return toSigningKey(newest);
      const key = await create();
      await trx("signing_keys").insert({
        kid: key.kid,
        private_pem: key.privatePem,
        public_jwk: JSON.stringify(key.publicJwk),
        create_time: key.createTime,
      });
      return key;
    });
  }
}

type Row = Record<string, unknown>;

function toCustomer(r: Row): CustomerRow {
  return {
    customerId: r.customer_id as string,
    email: r.email as string,
    displayName: r.display_name as string,
    passwordHash: r.password_hash as string,
    roles: r.roles as string[],
    createTime: r.create_time as Date,
    verifiedTime: (r.verified_time as Date | null) ?? null,
  };
}

function toSigningKey(r: Row): SigningKeyRow {
  return {
    kid: r.kid as string,
    privatePem: r.private_pem as string,
    publicJwk: r.public_jwk as Record<string, unknown>,
    createTime: r.create_time as Date,
  };
}
