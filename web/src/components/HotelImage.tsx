// The hotel's picture, or a plain placeholder when it cannot be shown: the
// CSP allows images from this origin only (a picture elsewhere would only be
// blocked, with a console error), and one that fails to load is replaced too.
import { useState } from "react";
import { sameOrigin } from "../lib/images.js";

export function HotelImage({ src, name, large }: { src: string; name: string; large?: boolean }) {
  const [broken, setBroken] = useState(!src || !sameOrigin(src, window.location.origin));
  const className = large ? "hotel-image large" : "hotel-image";
  if (broken) {
    return (
      <div className={`${className} placeholder`} aria-hidden="true">
        {name.slice(0, 1)}
      </div>
    );
  }
  return <img className={className} src={src} alt={`Photo of ${name}`} loading="lazy" onError={() => setBroken(true)} />;
}
