// The main menu is a <details>: folded on a phone, open on a wide screen, where its
// "Menu" button is hidden (wijk.css). Without this file the menu still opens by hand.
(function () {
  var menu = document.querySelector("details.site-menu");
  if (!menu || !window.matchMedia) return;
  var wide = window.matchMedia("(min-width: 52rem)");
  function fit() { menu.open = wide.matches; }
  fit();
  wide.addEventListener("change", fit);
})();
