// The poster's print button (no inline script: CSP).
document.querySelectorAll(".js-print").forEach((button) => {
  button.addEventListener("click", () => window.print());
});
