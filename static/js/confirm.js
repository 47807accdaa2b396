// Forms with data-confirm="A question?" ask it before they submit; Cancel keeps the page as it is.

document.addEventListener("submit", (event) => {
  const form = event.target.closest("form[data-confirm]");
  if (form && !window.confirm(form.dataset.confirm)) event.preventDefault();
});
