// itinera.bus.v1.DeadLetterService: an operator's view of the dead letters of
// the consumer groups THIS process runs, over whichever engine's DeadLetters
// main.ts gives it. Served beside the process's own service by every process
// that consumes events (./serve.ts); a group it does not run is NOT_FOUND here.
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import type { DeadLetter, DeadLetters } from "../../endpoints/bus.js";
import { DEAD_LETTERS_DEFAULT_LIMIT } from "../../endpoints/dead-letters.js";
import { notFound } from "../../endpoints/errors.js";
import type { Service } from "../../endpoints/service.js";
import type { DeadLetterService } from "../../gen/itinera/bus/v1/dead_letters_pb.js";

export interface DeadLetterServiceDeps {
  deadLetters: DeadLetters;
  /** The consumer groups this process subscribes with. */
  groups: readonly string[];
}

export function deadLetterService({ deadLetters, groups }: DeadLetterServiceDeps): Service<typeof DeadLetterService> {
  const own = [...new Set(groups)].sort();
  const ownGroup = (group: string) => {
    if (!own.includes(group)) {
      throw notFound(`this process consumes no group "${group}" (its groups: ${own.join(", ") || "none"}): call DeadLetterService on the process that consumes it`);
    }
  };
  const gone = (group: string, messageId: bigint) =>
    notFound(`group "${group}" has no dead letter with message id ${messageId}: it was replayed or discarded already, or never failed; ListDeadLetters shows what there is`);

  return {
    async listDeadLetters(_ctx, req) {
      if (req.group) ownGroup(req.group);
      const limit = req.limit || DEAD_LETTERS_DEFAULT_LIMIT;
      const topic = req.topic || undefined;
      // One list per group (each oldest first, at most limit), merged: the oldest `limit` of them all.
      const lists = await Promise.all((req.group ? [req.group] : own).map((group) => deadLetters.list({ group, topic, limit })));
      const oldest = lists.flat().sort(byFailure).slice(0, limit);
      return { deadLetters: oldest.map(toMessage), groups: own };
    },
    async replayDeadLetter(_ctx, req) {
      ownGroup(req.group);
      if (!(await deadLetters.replay(req.group, req.messageId))) throw gone(req.group, req.messageId);
      return {};
    },
    async discardDeadLetter(_ctx, req) {
      ownGroup(req.group);
      if (!(await deadLetters.discard(req.group, req.messageId))) throw gone(req.group, req.messageId);
      return {};
    },
  };
}

function byFailure(a: DeadLetter, b: DeadLetter): number {
  return a.failedAt.getTime() - b.failedAt.getTime() || a.group.localeCompare(b.group) || (a.messageId < b.messageId ? -1 : a.messageId > b.messageId ? 1 : 0);
}

function toMessage(d: DeadLetter) {
  return {
    group: d.group,
    topic: d.topic,
    key: d.key,
    messageId: d.messageId,
    type: d.type,
    attempts: d.attempts,
    lastError: d.lastError,
    publishTime: timestampFromDate(d.publishedAt),
    failTime: timestampFromDate(d.failedAt),
  };
}
