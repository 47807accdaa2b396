// Copy buttons: <button data-copy="#element-id"> copies that element's text. The clipboard
// API needs a secure context (https, localhost); elsewhere a selected, hidden textarea and
// execCommand still work, and if both fail the text is selected for Ctrl+C.

async function copyText(text) {
  if (navigator.clipboard && window.isSecureContext) {
    try {
      await navigator.clipboard.writeText(text);
      return true;
    } catch {
      // permission refused: try the old way
    }
  }
  const area = document.createElement("textarea");
  area.value = text;
  area.setAttribute("readonly", "");
  area.className = "copy-buffer";
  document.body.appendChild(area);
  area.select();
  let copied = false;
  try {
    copied = document.execCommand("copy");
  } catch {
    copied = false;
  }
  area.remove();
  return copied;
}

function selectText(element) {
  const range = document.createRange();
  range.selectNodeContents(element);
  const selection = window.getSelection();
  selection.removeAllRanges();
  selection.addRange(range);
}

document.addEventListener("click", async (event) => {
  const button = event.target.closest("[data-copy]");
  if (!button) return;
  const source = document.querySelector(button.dataset.copy);
  if (!source) return;
  const copied = await copyText(source.textContent.trim());
  if (!copied) selectText(source);
  button.dataset.label ??= button.textContent;
  button.textContent = copied ? "Copied" : "Press Ctrl+C";
  button.dataset.copied = String(copied);
  setTimeout(() => {
    button.textContent = button.dataset.label;
  }, 1600);
});
