// Copy buttons beside a secret shown once: copy the text of the element named by data-copy, then say so.
(function () {
  "use strict";
  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    button.hidden = !navigator.clipboard;
    button.addEventListener("click", function () {
      var value = document.getElementById(button.dataset.copy).textContent.trim();
      var status = document.getElementById(button.dataset.copy + "-copied");
      navigator.clipboard.writeText(value).then(function () {
        status.textContent = button.dataset.done;
      }, function () {
        status.textContent = button.dataset.failed;
      });
    });
  });
})();
