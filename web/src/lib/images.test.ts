import { test } from "uvu";
import * as assert from "uvu/assert";
import { sameOrigin } from "./images.js";

const origin = "http://127.0.0.1:8080";

test("only this origin's pictures are loaded", () => {
  assert.ok(sameOrigin("/images/h1/1.jpg", origin));
  assert.ok(sameOrigin("http://127.0.0.1:8080/images/h1.jpg", origin));
  assert.not.ok(sameOrigin("https://img.sandbox.itinera.test/h1/1.jpg", origin));
  assert.not.ok(sameOrigin("http://127.0.0.1:7102/h1.jpg", origin), "another port is another origin");
  assert.not.ok(sameOrigin("//evil.example/x.jpg", origin));
  assert.not.ok(sameOrigin("", origin));
  assert.not.ok(sameOrigin("http://[broken", origin));
});

test.run();
