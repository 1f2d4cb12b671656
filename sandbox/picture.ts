// A hotel's photos, as real PNG images drawn from a hash of (seed, hotel
// code, photo number): a sky fading to the horizon, a sun or a moon, hills,
// and the hotel's facade with lit windows, its height from its stars. The
// same arguments always give the same bytes (node:zlib only: PNG is a few
// chunks around deflated rows), so a cache in front of it never goes wrong.
import { crc32, deflateSync } from "node:zlib";
import type { IncomingMessage } from "node:http";
import { conditional, HttpError, type Reply } from "./http.js";
import type { Inventory } from "./inventory.js";
import { hash, hashString, unit } from "./random.js";

export const PICTURE_WIDTH = 480;
export const PICTURE_HEIGHT = 320;

type Rgb = [number, number, number];

/** The PNG of photo `n` (from 1) of the hotel with property code `code` and `stars`. */
export function hotelPicture(seed: number, code: string, stars: number, n: number): Buffer {
  const key = hash(seed, 40, hashString(code), n);
  const pick = (k: number) => unit(hash(key, k));
  const dusk = pick(1) < 0.3;
  const skyTop: Rgb = dusk ? [40, 40, 90] : [70 + pick(2) * 40, 130 + pick(3) * 50, 200 + pick(4) * 50];
  const skyLow: Rgb = dusk ? [240, 140, 90] : [200, 225, 245];
  const hillColour: Rgb = [50 + pick(5) * 40, 110 + pick(6) * 60, 60 + pick(7) * 30];
  const wall: Rgb = [150 + pick(8) * 100, 120 + pick(9) * 100, 100 + pick(10) * 100];
  const horizon = Math.round(PICTURE_HEIGHT * (0.6 + pick(11) * 0.1));
  const sun = { x: PICTURE_WIDTH * (0.1 + pick(12) * 0.8), y: horizon * (0.2 + pick(13) * 0.4), r: 18 + pick(14) * 18 };
  const floors = 2 + stars + Math.floor(pick(15) * 3);
  const facade = { left: Math.round(PICTURE_WIDTH * (0.2 + pick(16) * 0.3)), width: 120 + Math.round(pick(17) * 120) };
  const floorHeight = Math.min(26, Math.floor((horizon + 30) / (floors + 1)));
  const top = horizon + 30 - floors * floorHeight;

  const rows = Buffer.alloc((PICTURE_WIDTH * 3 + 1) * PICTURE_HEIGHT);
  let o = 0;
  for (let y = 0; y < PICTURE_HEIGHT; y++) {
    rows[o++] = 0; // filter: none
    const hill = (x: number) => horizon - 18 * Math.sin(x / 60 + pick(18) * 6) - 10 * Math.sin(x / 23 + pick(19) * 6);
    for (let x = 0; x < PICTURE_WIDTH; x++) {
      let c: Rgb;
      const inFacade = x >= facade.left && x < facade.left + facade.width && y >= top && y < horizon + 30;
      if (inFacade) {
        const fx = x - facade.left;
        const fy = y - top;
        const window = fx % 24 >= 8 && fx % 24 < 18 && fy % floorHeight >= 6 && fy % floorHeight < floorHeight - 6;
        const lit = unit(hash(key, 50, Math.floor(fx / 24), Math.floor(fy / floorHeight))) < (dusk ? 0.7 : 0.2);
        c = window ? (lit ? [250, 220, 120] : [60, 80, 110]) : wall;
      } else if (y >= hill(x)) {
        const shade = 1 - ((y - horizon) / PICTURE_HEIGHT) * 0.6;
        c = [hillColour[0] * shade, hillColour[1] * shade, hillColour[2] * shade];
      } else if ((x - sun.x) ** 2 + (y - sun.y) ** 2 <= sun.r ** 2) {
        c = dusk ? [245, 245, 225] : [255, 230, 120];
      } else {
        const t = y / horizon;
        c = [skyTop[0] + (skyLow[0] - skyTop[0]) * t, skyTop[1] + (skyLow[1] - skyTop[1]) * t, skyTop[2] + (skyLow[2] - skyTop[2]) * t];
      }
      rows[o++] = c[0];
      rows[o++] = c[1];
      rows[o++] = c[2];
    }
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(PICTURE_WIDTH, 0);
  header.writeUInt32BE(PICTURE_HEIGHT, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8 bits per channel, RGB, deflate, no filter choice, no interlace
  return Buffer.concat([PNG_SIGNATURE, chunk("IHDR", header), chunk("IDAT", deflateSync(rows)), chunk("IEND", Buffer.alloc(0))]);
}

const PNG_SIGNATURE = Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]);

function chunk(type: string, data: Buffer): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, "ascii");
  data.copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

/**
 * GET /images/hotels/<code>/<n>.png on every sandbox seller: photo `n` of a
 * hotel of the inventory (404 for an unknown hotel or a photo it does not
 * have), cacheable for a day, and 304 when If-None-Match names it.
 */
export function photoReply(inv: Inventory, req: IncomingMessage, path: string): Reply {
  const m = /^\/images\/hotels\/([A-Za-z0-9]{1,16})\/(\d{1,3})\.png$/.exec(path);
  const hotel = m ? inv.hotelByCode.get(m[1]!) : undefined;
  if (!hotel || !hotel.imagePaths.includes(path)) throw new HttpError(404, `no photo ${path}`);
  const n = Number(m![2]);
  return conditional(req, `"${inv.seed}-${hotel.code}-${n}"`, () => ({
    status: 200,
    contentType: "image/png",
    body: hotelPicture(inv.seed, hotel.code, hotel.stars, n),
    headers: { "cache-control": "public, max-age=86400" },
  }));
}
