/**
 * Moves focus to the new content: an element marked `data-focus-target` inside <main>
 * if there is one (e.g. the bid box after signing in), else the page's heading.
 */
export function focusMain(): void {
  requestAnimationFrame(() => {
    const main = document.getElementById("main");
    const target = main?.querySelector<HTMLElement>("[data-focus-target]") ?? main?.querySelector<HTMLElement>("h1");
    if (!target) return;
    if (!target.hasAttribute("tabindex") && !/^(INPUT|BUTTON|SELECT|TEXTAREA|A)$/.test(target.tagName)) {
      target.setAttribute("tabindex", "-1");
    }
    target.focus();
  });
}
