// The access-token signer: an Ed25519 key generated at first start and kept
// in the identity schema (sandbox: private key as PKCS8 PEM in the database),
// and the JWK set of every stored key's public half for verifiers.
import { randomUUID } from "node:crypto";
import {
  exportJWK,
  exportPKCS8,
  generateKeyPair,
  importPKCS8,
  SignJWT,
  type CryptoKey,
  type JSONWebKeySet,
  type JWK,
} from "jose";
import type { IdentityStore, SigningKeyRow } from "./store.js";

export const ISSUER = "itinera-identity";
export const AUDIENCE = "itinera";
export const ALGORITHM = "EdDSA";

export interface AccessClaims {
  /** The customer id, or the service's name. */
  sub: string;
  roles: readonly string[];
  /** Default "customer". */
  kind?: "customer" | "service";
}

export interface TokenSigner {
  /** The key id of the signing key (in each token's header). */
  readonly kid: string;
  /** A signed access token, issued at `now`, expiring `ttlSeconds` later. */
  sign(claims: AccessClaims, now: Date, ttlSeconds: number): Promise<string>;
  /** The public keys, signing key first. */
  readonly jwks: JSONWebKeySet;
}

/** Generates a new Ed25519 key as a row to store. */
export async function newSigningKey(now: Date): Promise<SigningKeyRow> {
  const { privateKey, publicKey } = await generateKeyPair(ALGORITHM, { crv: "Ed25519", extractable: true });
  const kid = randomUUID();
  const publicJwk: JWK = { ...(await exportJWK(publicKey)), kid, alg: ALGORITHM, use: "sig" };
  return { kid, privatePem: await exportPKCS8(privateKey), publicJwk: publicJwk as Record<string, unknown>, createTime: now };
}

/** Loads the newest stored key (creating one on first start) and the public set. */
export async function loadSigner(store: IdentityStore, now: Date = new Date()): Promise<TokenSigner> {
  const current = await store.ensureSigningKey(() => newSigningKey(now));
  const all = await store.signingKeys();
  return signerOf(current, all);
}

export async function signerOf(current: SigningKeyRow, all: readonly SigningKeyRow[]): Promise<TokenSigner> {
  const privateKey: CryptoKey = await importPKCS8(current.privatePem, ALGORITHM);
  const others = all.filter((k) => k.kid !== current.kid);
  const jwks: JSONWebKeySet = { keys: [current, ...others].map((k) => k.publicJwk as JWK) };
  return {
    kid: current.kid,
    jwks,
    sign: (claims, now, ttlSeconds) => {
      const iat = Math.floor(now.getTime() / 1000);
      return new SignJWT({ roles: [...claims.roles], kind: claims.kind ?? "customer" })
        .setProtectedHeader({ alg: ALGORITHM, kid: current.kid, typ: "JWT" })
        .setSubject(claims.sub)
        .setIssuer(ISSUER)
        .setAudience(AUDIENCE)
        .setIssuedAt(iat)
        .setExpirationTime(iat + ttlSeconds)
        .setJti(randomUUID())
        .sign(privateKey);
    },
  };
}
