// The review page's Print button: the browser's print dialog, with the print stylesheet.
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-action='print']");
  if (button) {
    window.print();
  }
});
