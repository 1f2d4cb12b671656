// What DeadLetterService accepts, checked by the validation middleware before
// the service runs: the rules both bus engines check too (endpoints/dead-letters.ts).
import { filterChecks, refChecks } from "../../endpoints/dead-letters.js";
import { validator } from "../../endpoints/rules.js";
import type { Validators } from "../../endpoints/service.js";
import type { DeadLetterService } from "../../gen/itinera/bus/v1/dead_letters_pb.js";

export function deadLetterValidators(): Validators<typeof DeadLetterService> {
  return {
    // limit 0 is the contract's "the default"
    listDeadLetters: validator((req) => filterChecks({ group: req.group, topic: req.topic, limit: req.limit === 0 ? undefined : req.limit })),
    replayDeadLetter: validator((req) => refChecks(req.group, req.messageId)),
    discardDeadLetter: validator((req) => refChecks(req.group, req.messageId)),
  };
}
