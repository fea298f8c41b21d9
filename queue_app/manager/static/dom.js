// What every manager page's script builds its DOM with: find by id, make an element, fill a text's
// %(name)s placeholders (the form of the page's translated texts).
(function () {
  "use strict";

  window.OneDoorDom = {
    $: (id) => document.getElementById(id),
    el: (tag, props = {}, ...children) => {
      const node = Object.assign(document.createElement(tag), props);
      children.forEach((c) => node.append(c));
      return node;
    },
    fill: (template, values) => template.replace(/%\((\w+)\)s/g, (_, key) => values[key]),
  };
})();
