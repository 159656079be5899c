import { useEffect, useState } from "preact/hooks";
import { AUCTIONS_CSV, api } from "../api/client";
import type { SummaryRow } from "../api/types";
import { describeError } from "../chain/errors";
import { StewardNav } from "../components/StewardNav";
import { formatAmpled } from "../lib/amount";
import { categoryLabel } from "../lib/labels";

/** The co-op's books: the CSV of every closed auction and totals per month and category. */
export function Reports() {
  const [rows, setRows] = useState<SummaryRow[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    document.title = "Reports · Ampled Commissary";
    const controller = new AbortController();
    api.reportSummary(controller.signal).then(
      (s) => setRows(s.items),
      (e) => !controller.signal.aborted && setError(describeError(e)),
    );
    return () => controller.abort();
  }, []);
  return (
    <>
      <div class="page-head">
        <h1>Reports</h1>
      </div>
      <StewardNav current="reports" />
      <section class="panel">
        <h2>Every closed auction</h2>
        <p>
          One row per auction: item, category, donor, starting price, winning bid (exact AMPLED), winner, settlement
          transaction, fulfillment state and dates.
        </p>
        <p>
          <a class="btn secondary" href={AUCTIONS_CSV} download="commissary-auctions.csv" data-testid="csv-link">
            Download the CSV
          </a>
        </p>
      </section>
      <section class="panel" aria-labelledby="summary-heading">
        <h2 id="summary-heading">Monthly summary</h2>
        {error && <p role="alert">{error}</p>}
        {!rows && !error && <p class="loading">Loading…</p>}
        {rows && rows.length === 0 && <p class="muted">No auction has closed yet.</p>}
        {rows && rows.length > 0 && (
          // biome-ignore lint/a11y/noNoninteractiveTabindex: a table that scrolls sideways on a phone needs keyboard access
          <section class="table-wrap" tabIndex={0} aria-label="Monthly summary">
            <table data-testid="summary">
              <caption class="visually-hidden">Auctions per month and category</caption>
              <thead>
                <tr>
                  <th scope="col">Month</th>
                  <th scope="col">Category</th>
                  <th scope="col" class="num">
                    Auctions
                  </th>
                  <th scope="col" class="num">
                    Sold
                  </th>
                  <th scope="col" class="num">
                    Unsold
                  </th>
                  <th scope="col" class="num">
                    Redeemed
                  </th>
                </tr>
              </thead>
              <tbody>
                {rows.map((r) => (
                  <tr key={`${r.month}-${r.category}`}>
                    <td>{r.month}</td>
                    <td>{categoryLabel(r.category)}</td>
                    <td class="num">{r.auctions}</td>
                    <td class="num">{r.sold}</td>
                    <td class="num">{r.unsold}</td>
                    <td class="num">{formatAmpled(r.ampled_redeemed)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
        )}
      </section>
    </>
  );
}
