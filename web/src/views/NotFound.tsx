import { href } from "../router";

export function NotFound({ title = "Page not found", text = "There is nothing at this address." }) {
  return (
    <section class="panel">
      <h1>{title}</h1>
      <p>{text}</p>
      <a href={href.browse()}>See all gear</a>
    </section>
  );
}
