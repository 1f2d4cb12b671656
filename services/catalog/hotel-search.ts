// Keyword search over hotels: one SQL statement that ranks every matching
// hotel in tiers, best first:
//   0  its city's name or one of the city's aliases is exactly the query
//      ("NY", "new york", "Lisboa"),
//   1  its country's name or ISO code is exactly the query ("Portugal", "PT"),
//   2  full-text: every word of the query starts a word of its name, city,
//      aliases or country (search_doc, prefix matching),
//   3  similar spelling (pg_trgm): its city or a city alias is similar to the
//      query ("Lisbn", "Pariss"),
//   4  full-text with typos corrected: each word of the query that is not a
//      word of any document is replaced by the most similar words of the
//      vocabulary (search_words), the others kept ("Montmarte Palase" →
//      montmartre & palace); skipped when no word needed correcting.
// A hotel takes its best tier. Within a tier the score is the full-text rank
// (ts_rank_cd; names weigh most), or the trigram similarity in tier 3, in
// millionths so that cursors compare exact integers; ties by hotel_id (byte
// order). Pages continue strictly after a cursor (tier, score, hotel_id), so
// they never overlap or skip a hotel while the data does not change. The
// same statement counts every match (the total, on every page) and reads the
// page's hotels with their rooms: one round trip.
// Comparisons use `fold` (lower case, no accents) on both sides.
import type { Knex } from "knex";
import { HOTEL_WITH_ROOMS, hotelRecord } from "./hotel-rows.js";
import type { RankedPage, SearchCursor } from "./listings.js";

const MAX_WORDS = 8;
/** Spellings of the vocabulary tried for each word of the query, most similar first. */
const CORRECTIONS_PER_WORD = 5;

/** The query's words: letters and digits, at most MAX_WORDS. */
export function queryWords(query: string): string[] {
  return (query.match(/[\p{L}\p{N}]+/gu) ?? []).slice(0, MAX_WORDS);
}

/** A prefix tsquery ("'lisb':* & 'pal':*") of the words. */
function prefixQuery(words: readonly string[]): string {
  return words.map((w) => `'${w}':*`).join(" & ");
}

export async function rankHotels(knex: Knex, query: string, limit: number, after?: SearchCursor): Promise<RankedPage> {
  const words = queryWords(query);
  // Without words (the query is punctuation) there is nothing to match in full text.
  const ts = words.length === 0 ? "null::tsquery" : "to_tsquery('simple', catalog.fold(:tsquery))";
  const rank = `coalesce(ts_rank_cd(search_doc, ${ts}), 0)`;
  const { rows } = (await knex.raw(
    `with exact_cities as (
       select city_id from cities where name_folded = catalog.fold(:q)
       union
       select city_id from city_aliases where alias_folded = catalog.fold(:q)),
     similar_cities as (
       select city_id, max(sim) as sim from (
         select city_id, similarity(name_folded, catalog.fold(:q)) as sim from cities where name_folded % catalog.fold(:q)
         union all
         select city_id, similarity(alias_folded, catalog.fold(:q)) from city_aliases where alias_folded % catalog.fold(:q)
       ) s group by city_id),
     query_words as (
       select n, catalog.fold(word) as word, exists (select 1 from search_words k where k.word = catalog.fold(w.word)) as known
         from unnest(cast(:words as text[])) with ordinality as w(word, n)),
     spellings as (
       select q.n, s.word, s.r, not q.known as corrected
         from query_words q
         cross join lateral (
           select q.word, 1::bigint where q.known
           union all
           select sw.word, sw.r from similar_words(q.word, :corrections) with ordinality as sw(word, similarity, r) where not q.known
         ) as s(word, r)),
     corrected as (
       select to_tsquery('simple', string_agg(alternatives, ' & ')) as tsq
         from (select n, '(' || string_agg(quote_literal(word), ' | ' order by r) || ')' as alternatives, bool_or(corrected) as corrected
                 from spellings group by n) a
       having count(*) = cardinality(cast(:words as text[])) and bool_or(corrected)),
     candidates (hotel_id, tier, score) as (
       select hotel_id, 0, ${rank} from hotels where city_id in (select city_id from exact_cities)
       union all
       select hotel_id, 1, ${rank} from hotels where country_folded = catalog.fold(:q) or country_code = upper(btrim(:q))
       union all
       select hotel_id, 2, ${rank} from hotels where search_doc @@ ${ts}
       union all
       select h.hotel_id, 3, s.sim from hotels h join similar_cities s on s.city_id = h.city_id
       union all
       select hotel_id, 4, ts_rank_cd(search_doc, c.tsq) from hotels, corrected c where search_doc @@ c.tsq),
     ranked as (
       select distinct on (hotel_id) hotel_id, tier, round(score * 1000000)::integer as score
         from candidates order by hotel_id, tier, score desc),
     page as (
       select hotel_id, tier, score from ranked
        where :first or (tier, -score, hotel_id) > (:tier, -(:score)::integer, :hotel)
        order by tier, score desc, hotel_id
        limit :limit)
     select t.total, p.tier, p.score, ${HOTEL_WITH_ROOMS}
       from (select count(*)::integer as total from ranked) t
       left join (page p join hotels h on h.hotel_id = p.hotel_id) on true
      order by p.tier, p.score desc, p.hotel_id`,
    {
      q: query,
      words,
      corrections: CORRECTIONS_PER_WORD,
      ...(words.length === 0 ? {} : { tsquery: prefixQuery(words) }),
      first: after === undefined,
      tier: after?.tier ?? 0,
      score: after?.score ?? 0,
      hotel: after?.hotelId ?? "",
      limit,
    },
  )) as { rows: (Record<string, unknown> & { total: number; hotel_id: string | null; tier: number; score: number })[] };
  // One row even when the page is empty (the count's), without a hotel then.
  const hotels = rows.flatMap((r) =>
    r.hotel_id === null ? [] : [{ hotel: hotelRecord(r), place: { tier: r.tier, score: r.score, hotelId: r.hotel_id } }],
  );
  return { hotels, total: rows[0]?.total ?? 0 };
}
