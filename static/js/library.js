// Use this template: a slot's new-connection fields show only while "Create a new
// connection…" is chosen. Without JavaScript they always show, and are used only then.

for (const select of document.querySelectorAll("select[data-reveals]")) {
  const target = document.getElementById(select.dataset.reveals);
  if (!target) continue;
  const show = () => {
    target.hidden = select.value !== "new";
  };
  select.addEventListener("change", show);
  show();
}
