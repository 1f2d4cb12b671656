import { useTitle } from "../components/useTitle.js";
import { Link } from "../router.js";

export function NotFoundPage() {
  useTitle("Page not found");
  return (
    <section>
      <h1 tabIndex={-1}>Page not found</h1>
      <p>
        There is no page at this address. <Link href="/">Search hotels and flights</Link>.
      </p>
    </section>
  );
}
