import type { ListingSort } from "../api/types";
import { CATEGORIES } from "../lib/labels";

export const STATUS_FILTERS: [string, string, string][] = [
  ["open", "Open & upcoming", "publishing,scheduled,live"],
  ["live", "Live now", "live"],
  ["finished", "Finished", "ended,settled,unsold"],
  ["all", "Everything", ""],
];

export const SORTS: [ListingSort, string][] = [
  ["ending_soon", "Ending soonest"],
  ["newest", "Newest"],
  ["price_low", "Price: low to high"],
  ["price_high", "Price: high to low"],
];

export interface FilterValues {
  q: string;
  category: string;
  show: string;
  sort: ListingSort;
}

export function filtersFrom(query: URLSearchParams): FilterValues {
  return {
    q: query.get("q") ?? "",
    category: query.get("category") ?? "",
    show: query.get("show") ?? "open",
    sort: (query.get("sort") as ListingSort) ?? "ending_soon",
  };
}

interface Props {
  values: FilterValues;
  onChange: (values: FilterValues) => void;
}

export function Filters({ values, onChange }: Props) {
  const set = (key: keyof FilterValues) => (event: Event) =>
    onChange({ ...values, [key]: (event.currentTarget as HTMLInputElement).value });
  return (
    <form
      class="filters"
      aria-label="Find gear"
      onSubmit={(event) => {
        event.preventDefault();
        const q = new FormData(event.currentTarget).get("q");
        onChange({ ...values, q: String(q ?? "") });
      }}
    >
      <div class="field search-field">
        <label for="f-q">Search</label>
        <input id="f-q" name="q" type="search" placeholder="Telecaster, tube amp, mic…" value={values.q} />
      </div>
      <div class="field">
        <label for="f-category">Category</label>
        <select id="f-category" value={values.category} onChange={set("category")}>
          <option value="">All categories</option>
          {CATEGORIES.map(([code, label]) => (
            <option key={code} value={code}>
              {label}
            </option>
          ))}
        </select>
      </div>
      <div class="field">
        <label for="f-show">Show</label>
        <select id="f-show" value={values.show} onChange={set("show")}>
          {STATUS_FILTERS.map(([code, label]) => (
            <option key={code} value={code}>
              {label}
            </option>
          ))}
        </select>
      </div>
      <div class="field">
        <label for="f-sort">Sort</label>
        <select id="f-sort" value={values.sort} onChange={set("sort")}>
          {SORTS.map(([code, label]) => (
            <option key={code} value={code}>
              {label}
            </option>
          ))}
        </select>
      </div>
      <button type="submit" class="btn secondary">
        Search
      </button>
    </form>
  );
}
