// Kit errors: what a service throws. The transport maps them to Connect/gRPC
// status codes and back, so services never see ConnectError and callers get
// the same error whether the service is local or remote.

/** gRPC status codes, numerically identical to Connect's and gRPC's. */
export enum Code {
  Canceled = 1,
  Unknown = 2,
  InvalidArgument = 3,
  DeadlineExceeded = 4,
  NotFound = 5,
  AlreadyExists = 6,
  PermissionDenied = 7,
  ResourceExhausted = 8,
  FailedPrecondition = 9,
  Aborted = 10,
  OutOfRange = 11,
  Unimplemented = 12,
  Internal = 13,
  Unavailable = 14,
  DataLoss = 15,
  Unauthenticated = 16,
}

/** One field that broke one rule (sent as itinera.type.v1.FieldViolation). */
export interface FieldViolation {
  /** Path in proto field names: "amount.amount_minor". */
  field: string;
  /** A sentence for a person. */
  description: string;
  /** A stable rule id for programs: "gt_zero", "iso4217". */
  rule: string;
}

export interface KitErrorOptions {
  violations?: FieldViolation[];
  /** For ResourceExhausted / Unavailable: when the caller may try again. */
  retryAfterMs?: number;
  cause?: unknown;
}

export class KitError extends Error {
  override name = "KitError";
  readonly code: Code;
  readonly violations: readonly FieldViolation[];
  readonly retryAfterMs: number | undefined;

  constructor(code: Code, message: string, options: KitErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.violations = options.violations ?? [];
    this.retryAfterMs = options.retryAfterMs;
  }

  /** The code's name in gRPC's spelling, for logs and metrics: "INVALID_ARGUMENT". */
  get codeName(): string {
    return codeName(this.code);
  }
}

export function codeName(code: Code | 0): string {
  if (code === 0) return "OK";
  return Code[code].replace(/([a-z])([A-Z])/g, "$1_$2").toUpperCase();
}

/** Any thrown value as a KitError: unknown errors become Internal (their message kept for logs). */
export function asKitError(e: unknown): KitError {
  if (e instanceof KitError) return e;
  if (e instanceof Error && e.name === "AbortError") return new KitError(Code.Canceled, "the call was canceled", { cause: e });
  return new KitError(Code.Internal, e instanceof Error ? e.message : String(e), { cause: e });
}

export const invalidArgument = (message: string, violations: FieldViolation[] = []) =>
  new KitError(Code.InvalidArgument, message, { violations });
export const notFound = (message: string) => new KitError(Code.NotFound, message);
export const alreadyExists = (message: string) => new KitError(Code.AlreadyExists, message);
export const failedPrecondition = (message: string) => new KitError(Code.FailedPrecondition, message);
export const permissionDenied = (message: string) => new KitError(Code.PermissionDenied, message);
export const unauthenticated = (message: string) => new KitError(Code.Unauthenticated, message);
export const resourceExhausted = (message: string, retryAfterMs?: number) =>
  new KitError(Code.ResourceExhausted, message, retryAfterMs === undefined ? {} : { retryAfterMs });
export const unavailable = (message: string, cause?: unknown) => new KitError(Code.Unavailable, message, { cause });
export const deadlineExceeded = (message: string) => new KitError(Code.DeadlineExceeded, message);
export const canceled = (message: string) => new KitError(Code.Canceled, message);
export const internal = (message: string, cause?: unknown) => new KitError(Code.Internal, message, { cause });
