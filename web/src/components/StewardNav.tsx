import { href } from "../router";

type Where = "desk" | "fulfillment" | "reports";

/** The desk's three rooms: listings, fulfillment of won items, the books. */
export function StewardNav({ current }: { current: Where }) {
  const link = (where: Where, to: string, text: string) => (
    <li>
      <a href={to} aria-current={current === where ? "page" : undefined}>
        {text}
      </a>
    </li>
  );
  return (
    <nav class="subnav" aria-label="Steward desk">
      <ul>
        {link("desk", href.desk(), "Listings")}
        {link("fulfillment", href.fulfillment(), "Fulfillment")}
        {link("reports", href.reports(), "Reports")}
      </ul>
    </nav>
  );
}
