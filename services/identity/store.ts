// Identity's repository: every SQL statement of the identity service.
import type { Knex } from "knex";

export interface CustomerRow {
  customerId: string;
  email: string;
  displayName: string;
  passwordHash: string;
  roles: string[];
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
  expireTime: Date;
  createTime: Date;
}

export class IdentityStore {
  constructor(private readonly knex: Knex) {}

  /** The new customer, or undefined when the e-mail address is taken. */
  async insertCustomer(c: Omit<CustomerRow, "customerId" | "roles">): Promise<CustomerRow | undefined> {
    const rows = (await this.knex("customers")
      .insert({ email: c.email, display_name: c.displayName, password_hash: c.passwordHash, create_time: c.createTime })
      .onConflict("email")
      .ignore()
      .returning("*")) as Row[];
    return rows[0] ? toCustomer(rows[0]) : undefined;
  }

  async customerByEmail(email: string): Promise<CustomerRow | undefined> {
    const row = (await this.knex("customers").where({ email }).first()) as Row | undefined;
    return row ? toCustomer(row) : undefined;
  }

  async customerById(customerId: string): Promise<CustomerRow | undefined> {
    const row = (await this.knex("customers").where({ customer_id: customerId }).first()) as Row | undefined;
    return row ? toCustomer(row) : undefined;
  }

  async insertRefreshToken(t: NewRefreshToken): Promise<void> {
    await this.knex("refresh_tokens").insert({
      token_hash: t.tokenHash,
      customer_id: t.customerId,
      expire_time: t.expireTime,
      create_time: t.createTime,
    });
  }

  /**
   * Marks a refresh token used, if it is unused and unexpired at `now`, and
   * says whose it was; undefined otherwise. One statement: two concurrent
   * exchanges of the same token cannot both succeed.
   */
  async useRefreshToken(tokenHash: Buffer, now: Date): Promise<string | undefined> {
    const rows = (await this.knex("refresh_tokens")
      .where({ token_hash: tokenHash })
      .whereNull("used_time")
      .andWhere("expire_time", ">", now)
      .update({ used_time: now })
      .returning("customer_id")) as { customer_id: string }[];
    return rows[0]?.customer_id;
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
