import { test } from "uvu";
import * as assert from "uvu/assert";
import { hotelPhotoPath } from "./images.js";

test("a hotel's photo is loaded from our origin's photo route, never from the seller; none without one", () => {
  assert.is(hotelPhotoPath("h-P000001", "http://127.0.0.1:7102/images/hotels/P000001/1.png"), "/images/hotels/h-P000001/1");
  assert.is(hotelPhotoPath("h-P000001", "https://img.example/x.jpg", 3), "/images/hotels/h-P000001/3");
  assert.is(hotelPhotoPath("h/../x", "https://img.example/x.jpg"), "/images/hotels/h%2F..%2Fx/1", "the id stays one path segment");
  assert.is(hotelPhotoPath("h-P000001", ""), "");
  assert.is(hotelPhotoPath("", "https://img.example/x.jpg"), "");
});

test.run();
