import { test } from "uvu";
import * as assert from "uvu/assert";
import { CreditReason, TransactionKind } from "../../../gen/itinera/wallet/v1/wallet_pb.js";
import { moveActive } from "./combobox.js";
import { transactionLabel, transactionSign } from "./wallet.js";

test("wallet history kinds read as words", () => {
  assert.is(transactionLabel({ kind: TransactionKind.CREDIT, reason: CreditReason.CASHBACK }), "Cashback added");
  assert.is(transactionLabel({ kind: TransactionKind.CREDIT, reason: CreditReason.REFUND }), "Refund added");
  assert.is(transactionLabel({ kind: TransactionKind.CREDIT, reason: CreditReason.PROMOTION }), "Promotion added");
  assert.is(transactionLabel({ kind: TransactionKind.CREDIT, reason: CreditReason.UNSPECIFIED }), "Credit added");
  assert.is(transactionLabel({ kind: TransactionKind.HOLD, reason: CreditReason.UNSPECIFIED }), "Set aside for a booking");
  assert.is(transactionLabel({ kind: TransactionKind.CAPTURE, reason: CreditReason.UNSPECIFIED }), "Spent on a booking");
  assert.is(transactionLabel({ kind: TransactionKind.RELEASE, reason: CreditReason.UNSPECIFIED }), "Returned from a booking");
});

test("the sign says what happened to the available balance", () => {
  assert.is(transactionSign(TransactionKind.CREDIT), "+");
  assert.is(transactionSign(TransactionKind.RELEASE), "+");
  assert.is(transactionSign(TransactionKind.HOLD), "−");
  assert.is(transactionSign(TransactionKind.CAPTURE), "", "captured money was already set aside");
});

test("arrow keys move through suggestions and wrap", () => {
  assert.is(moveActive(-1, 3, 1), 0);
  assert.is(moveActive(2, 3, 1), 0);
  assert.is(moveActive(-1, 3, -1), 2);
  assert.is(moveActive(0, 3, -1), 2);
  assert.is(moveActive(1, 3, -1), 0);
  assert.is(moveActive(0, 0, 1), -1);
});

test.run();
