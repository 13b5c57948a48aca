// Filters left empty stay out of the URL, so a filtered list is a short link to share.
document.addEventListener("submit", function (event) {
  const form = event.target;
  if (!form.matches("form.filters")) return;
  for (const field of form.elements) {
    if (field.name && (field.type === "checkbox" ? false : field.value === "")) field.disabled = true;
  }
  // Back-forward cache brings the page back as it was left: enable the fields again.
  setTimeout(function () {
    for (const field of form.elements) field.disabled = false;
  }, 0);
});
